import { createTables } from '../dynamodb';
import { seedDemoShop } from '../seed';
import { stateMachinesFromTemplate } from '../stepfunctions';
import type { StackParts } from './aws';

/** The tables, queues and state machines of every template, then the demo shop (unless `seed` is off). */
export const createResources = async ({ plan, packaged, aws }: StackParts): Promise<void> => {
  for (const { name, template, ctx } of packaged) {
    await createTables(aws.dynamodb.client, template, ctx);
    await aws.sqs.createQueuesFromTemplate(template, ctx);
    for (const machine of stateMachinesFromTemplate(template, ctx)) {
      aws.sfn.createStateMachine({ ...machine, owner: name });
    }
  }
  const shopsTable = packaged.find((s) => s.name === 'config')?.ctx.refs.ShopsTable;
  if (plan.seed && shopsTable && (await seedDemoShop(aws.dynamodb.client, shopsTable))) {
    plan.log('seeded shop "demo"');
  }
};
