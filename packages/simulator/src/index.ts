export * from './args';
export * from './engine';
export * from './http';
export * from './report';
export * from './shop';
export * from './socket';
export * from './stats';
export * from './target';
