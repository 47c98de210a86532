export * from './stack';
export * from './template';
