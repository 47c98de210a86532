export * from './fixtures';
export * from './stack';
export * from './template';
export * from './wait';
