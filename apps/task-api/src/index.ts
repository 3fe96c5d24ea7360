export * from './config';
export * from './createRequestHandler';
export * from './createTaskApiServer';
export * from './logger';
export * from './tasks';
