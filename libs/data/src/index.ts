export * from './AssetsBucket';
export * from './PrivateDatabase';
export * from './SharedFileSystem';
