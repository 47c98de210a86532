export * from './common';
export * from './errors';
export * from './events';
export * from './identity';
export * from './metrics';
export * from './order';
export * from './shop';
export * from './web';
