export * from './env';
export * from './errors';
export * from './http';
export * from './identity';
export * from './logger';
export * from './metrics';
