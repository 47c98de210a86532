export * from './stack';
export * from './template';
export * from './wait';
