export * from './AlarmTopic';
export * from './metrics';
export * from './ServiceAlarms';
export * from './ServiceDashboard';
