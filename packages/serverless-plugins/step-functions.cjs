'use strict';

/**
 * serverless-step-functions, left unloaded under prebuilt `serverless offline`
 * (./packaging-only.cjs): the local cloud runs the state machines from the packaged template.
 */
module.exports = require('./packaging-only.cjs').packagingOnly('serverless-step-functions', {
  topLevel: { stepFunctions: { type: 'object' } },
});
