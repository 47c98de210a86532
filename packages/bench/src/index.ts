export * from './args';
export * from './bundles';
export * from './cost';
export * from './logs';
export * from './meter';
export * from './report';
export * from './run';
export * from './targets';
