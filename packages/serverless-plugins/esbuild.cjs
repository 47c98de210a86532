'use strict';

/** serverless-esbuild, left unloaded under prebuilt `serverless offline` (./packaging-only.cjs). */
module.exports = require('./packaging-only.cjs').packagingOnly('serverless-esbuild', {
  functionProperties: { skipEsbuild: { type: 'boolean' } },
});
