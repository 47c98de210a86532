import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per Lambda (service name from POWERTOOLS_SERVICE_NAME): structured JSON logs. */
export const logger = new Logger();
