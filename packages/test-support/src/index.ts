export * from './cfn-lint';
export * from './dependency-graph';
export * from './fixtures';
export * from './stack';
export * from './stages';
export * from './template';
export * from './wait';
