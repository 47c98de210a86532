import {
  type ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';

export interface Screens {
  /**
   * Posts `data` to one connection: `gone` when API Gateway no longer knows it (410); throws
   * on any other failure.
   */
  post(connectionId: string, data: string): Promise<'sent' | 'gone'>;
}

/**
 * API Gateway's `@connections` management API. A closed connection answers 410: on AWS the SDK
 * names it `GoneException`; serverless offline answers an empty 410 the SDK calls `Unknown`,
 * so the status decides.
 */
export const isGone = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'GoneException' || e?.$metadata?.httpStatusCode === 410;
};

export const buildScreens = (client: ApiGatewayManagementApiClient): Screens => {
  const encoder = new TextEncoder();
  return {
    async post(connectionId, data) {
      try {
        await client.send(
          new PostToConnectionCommand({ ConnectionId: connectionId, Data: encoder.encode(data) }),
        );
        return 'sent';
      } catch (error) {
        if (isGone(error)) return 'gone';
        throw error;
      }
    },
  };
};
