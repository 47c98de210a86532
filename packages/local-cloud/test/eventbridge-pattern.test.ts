import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  compilePattern,
  InvalidEventPatternError,
  matchesPattern,
  validatePattern,
} from '../src/eventbridge-pattern';

/*
 * Sources of the cases, by the comment above each group:
 * - [Patterns]  AWS EventBridge User Guide, "Amazon EventBridge event patterns" (eb-event-patterns):
 *               "Create event patterns", "Match values", "Example events and event patterns".
 * - [Null]      User Guide, "Matching null values and empty strings in Amazon EventBridge event
 *               patterns" (eb-event-patterns-null-values).
 * - [Arrays]    User Guide, "Arrays in Amazon EventBridge event patterns" (eb-event-patterns-arrays).
 * - [Filtering] User Guide, "Content filtering in Amazon EventBridge event patterns"
 *               (eb-event-patterns-content-based-filtering), section named in the group comment.
 * - [Operators] User Guide, "Comparison operators for use in event patterns" (the summary table).
 * - [Ruler]     aws/event-ruler README, the engine EventBridge's patterns come from (arrays of
 *               objects, $or forms, wildcard escaping).
 * - [Validated] Behaviour recorded against real EventBridge (TestEventPattern) in LocalStack's
 *               parity suite, for what the guide leaves implicit.
 */

/** A full event envelope, as EventBridge hands it to rules: the EC2 example from [Patterns]. */
const envelope = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
  ...fields,
});

const withDetail = (detail: unknown): Record<string, unknown> => envelope({ detail });

/** The Auto Scaling example event of [Patterns] "Field matching" and [Null]. */
const autoScalingEvent = envelope({
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
});

/** The (truncated) Amazon Macie Classic alert of [Patterns] "Value matching". */
const macieAlert = (risk: number): Record<string, unknown> =>
  envelope({
    'detail-type': 'Macie Alert',
    source: 'aws.macie',
    resources: [
      'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id/alert/alert_id',
      'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id',
    ],
    detail: {
      'notification-type': 'ALERT_CREATED',
      name: 'Scanning bucket policies',
      tags: ['Custom_Alert', 'Insider'],
      'risk-score': 80,
      trigger: { 'alert-type': 'basic', risk },
    },
  });

/** Our own events: what the espresso services put on the bus. */
const espresso = (source: string, detailType: string, detail: unknown): Record<string, unknown> =>
  envelope({
    source,
    'detail-type': detailType,
    account: '123456789012',
    region: 'eu-west-1',
    time: '2026-03-02T08:15:00Z',
    resources: [],
    detail,
  });

const EC2_TERMINATION = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};

const NUMERIC_EXAMPLE = {
  detail: {
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ numeric: ['=', 3.018e2] }],
  },
};

const OR_NUMERIC_EXAMPLE = {
  detail: {
    $or: [
      { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
      { 'd-count': [{ numeric: ['<', 10] }] },
      { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
    ],
  },
};

const COMPLEX_EXAMPLE = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
  },
};

const EMPLOYEES = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};

const CLOUDWATCH_OR = {
  source: ['aws.cloudwatch'],
  $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
};

const ORDER_LIFECYCLE = {
  source: ['espresso.orders'],
  $or: [
    { 'detail-type': ['OrderManager.OrderCompleted'] },
    { 'detail-type': ['OrderManager.OrderCancelled'] },
  ],
};

describe('EventBridge event patterns', () => {
  describe('matchesPattern', () => {
    [
      // [Patterns] Create event patterns: the EC2 instance-termination example.
      {
        name: 'the EC2 termination pattern matches the EC2 state-change event',
        pattern: EC2_TERMINATION,
        event: envelope(),
        expected: true,
      },
      {
        name: 'every pattern field must match: another state does not',
        pattern: EC2_TERMINATION,
        event: withDetail({ 'instance-id': 'i-1', state: 'running' }),
        expected: false,
      },
      {
        name: 'a field named in the pattern but absent from the event does not match',
        pattern: EC2_TERMINATION,
        event: withDetail({ 'instance-id': 'i-1' }),
        expected: false,
      },
      {
        name: 'field names must sit at the same nesting: a top-level state is not detail.state',
        pattern: { detail: { state: ['terminated'] } },
        event: envelope({ state: 'terminated', detail: {} }),
        expected: false,
      },
      {
        name: 'strings match character by character, without case folding',
        pattern: EC2_TERMINATION,
        event: withDetail({ state: 'Terminated' }),
        expected: false,
      },
      // [Patterns] Match values: the values of a field are alternatives.
      {
        name: 'source ["aws.ec2", "aws.fargate"] matches an aws.fargate event',
        pattern: { source: ['aws.ec2', 'aws.fargate'] },
        event: envelope({ source: 'aws.fargate' }),
        expected: true,
      },
      {
        name: 'source ["aws.ec2", "aws.fargate"] does not match an aws.s3 event',
        pattern: { source: ['aws.ec2', 'aws.fargate'] },
        event: envelope({ source: 'aws.s3' }),
        expected: false,
      },
      // [Patterns] Field matching: the Auto Scaling event with a null responseElements.
      {
        name: 'responseElements [null] with source and detail-type matches the Auto Scaling event',
        pattern: {
          source: ['aws.autoscaling'],
          'detail-type': ['EC2 Instance Launch Successful'],
          detail: { responseElements: [null] },
        },
        event: autoScalingEvent,
        expected: true,
      },
      // [Patterns] Value matching: the Macie alert with risk-score 80 and trigger risk 8.
      {
        name: 'risk-score [80] and nested trigger.risk [8] match the Macie alert',
        pattern: {
          source: ['aws.macie'],
          'detail-type': ['Macie Alert'],
          detail: { 'risk-score': [80], trigger: { risk: [8] } },
        },
        event: macieAlert(8),
        expected: true,
      },
      {
        name: 'the Macie pattern does not match a trigger risk of 7',
        pattern: { detail: { 'risk-score': [80], trigger: { risk: [8] } } },
        event: macieAlert(7),
        expected: false,
      },
      {
        name: 'a number pattern does not match the same digits as a string ("8" is not 8)',
        pattern: { detail: { trigger: { risk: ['8'] } } },
        event: macieAlert(8),
        expected: false,
      },
      {
        name: 'a string pattern is not matched by a number event value (5 is not "5")',
        pattern: { detail: { count: [5] } },
        event: withDetail({ count: '5' }),
        expected: false,
      },
      // [Validated] AWS matches numbers by value, though older guide text says 300 ≠ 300.0.
      {
        name: 'numbers compare by value: [3.0e2] matches 300',
        pattern: { detail: { number: [3.0e2] } },
        event: withDetail({ number: 300 }),
        expected: true,
      },
      {
        name: 'booleans match exactly: [true] matches true',
        pattern: { detail: { enabled: [true] } },
        event: withDetail({ enabled: true }),
        expected: true,
      },
      {
        name: 'booleans are not strings: [true] does not match "true"',
        pattern: { detail: { enabled: [true] } },
        event: withDetail({ enabled: 'true' }),
        expected: false,
      },
      // [Null] Matching null values and empty strings.
      {
        name: 'eventVersion [""] matches an empty string',
        pattern: { detail: { eventVersion: [''] } },
        event: autoScalingEvent,
        expected: true,
      },
      {
        name: 'an empty-string pattern does not match null',
        pattern: { detail: { responseElements: [''] } },
        event: autoScalingEvent,
        expected: false,
      },
      {
        name: 'a null pattern does not match an empty string',
        pattern: { detail: { eventVersion: [null] } },
        event: autoScalingEvent,
        expected: false,
      },
      {
        name: 'a null pattern needs the field: an absent field is not null',
        pattern: { detail: { missing: [null] } },
        event: autoScalingEvent,
        expected: false,
      },
      // [Validated] An empty event array holds no value, not even null.
      {
        name: 'resources [null] does not match an empty resources array',
        pattern: { resources: [null] },
        event: autoScalingEvent,
        expected: false,
      },
      // [Arrays] The pattern matches when its array and the event's array intersect.
      {
        name: 'resources patterns match when one of them is in the event resources array',
        pattern: {
          resources: [
            'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
            'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
            'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
          ],
        },
        event: envelope({
          resources: [
            'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
            'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          ],
        }),
        expected: true,
      },
      {
        name: 'resources patterns do not match when no element of the event array is among them',
        pattern: { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
        event: envelope(),
        expected: false,
      },
      {
        name: 'a detail array field matches when any element equals a pattern value (Macie tags)',
        pattern: { detail: { tags: ['Insider'] } },
        event: macieAlert(8),
        expected: true,
      },
      // [Ruler] JSON array matching: arrays of objects are walked element by element.
      {
        name: 'a nested pattern matches inside any object of an event array',
        pattern: { employees: { firstName: ['Anna'] } },
        event: envelope(EMPLOYEES),
        expected: true,
      },
      {
        name: 'fields of one nested pattern must match in the same array element',
        pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
        event: envelope(EMPLOYEES),
        expected: false,
      },
      {
        name: 'fields matching together in one array element match',
        pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
        event: envelope(EMPLOYEES),
        expected: true,
      },
      {
        name: 'arrays of arrays of objects are crushed out too',
        pattern: { employees: { firstName: ['Peter'] } },
        event: envelope({
          employees: [
            [
              { firstName: 'John', lastName: 'Doe' },
              { firstName: 'Anna', lastName: 'Smith' },
            ],
            [{ firstName: 'Peter', lastName: 'Jones' }],
          ],
        }),
        expected: true,
      },
      // [Filtering] Prefix matching.
      {
        name: 'time prefix "2017-10-02" matches "2017-10-02T18:43:48Z"',
        pattern: { time: [{ prefix: '2017-10-02' }] },
        event: envelope({ time: '2017-10-02T18:43:48Z' }),
        expected: true,
      },
      {
        name: 'time prefix "2017-10-02" does not match another day',
        pattern: { time: [{ prefix: '2017-10-02' }] },
        event: envelope({ time: '2017-10-03T18:43:48Z' }),
        expected: false,
      },
      {
        name: 'region prefix "eu-" with source aws.autoscaling matches eu-west-1 Auto Scaling events',
        pattern: { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] },
        event: envelope({ source: 'aws.autoscaling', region: 'eu-west-1' }),
        expected: true,
      },
      {
        name: 'region prefix "eu-" does not match us-east-1',
        pattern: { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] },
        event: envelope({ source: 'aws.autoscaling', region: 'us-east-1' }),
        expected: false,
      },
      {
        name: 'prefix matching only works on strings: prefix "12" does not match the number 123',
        pattern: { detail: { count: [{ prefix: '12' }] } },
        event: withDetail({ count: 123 }),
        expected: false,
      },
      {
        name: 'an empty prefix on source matches every event (the match-all idiom)',
        pattern: { source: [{ prefix: '' }] },
        event: espresso('espresso.orders', 'OrderManager.OrderSubmitted', {}),
        expected: true,
      },
      // [Filtering] Prefix matching while ignoring case.
      {
        name: 'prefix equals-ignore-case "EventB" matches "EVENTBRIDGE"',
        pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
        event: withDetail({ service: 'EVENTBRIDGE' }),
        expected: true,
      },
      {
        name: 'prefix equals-ignore-case "EventB" does not match "Events"',
        pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
        event: withDetail({ service: 'Events' }),
        expected: false,
      },
      // [Filtering] Suffix matching.
      {
        name: 'FileName suffix ".png" matches "photo.png"',
        pattern: { FileName: [{ suffix: '.png' }] },
        event: envelope({ FileName: 'photo.png' }),
        expected: true,
      },
      {
        name: 'suffix ".png" is case-sensitive: "photo.PNG" does not match',
        pattern: { FileName: [{ suffix: '.png' }] },
        event: envelope({ FileName: 'photo.PNG' }),
        expected: false,
      },
      // [Filtering] Suffix matching while ignoring case.
      {
        name: 'suffix equals-ignore-case ".png" matches "photo.PNG"',
        pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
        event: withDetail({ FileName: 'photo.PNG' }),
        expected: true,
      },
      // [Operators] Ends with (ignore case): service ends with "tbridge" in any casing.
      {
        name: 'suffix equals-ignore-case "tbridge" matches "EVENTBRIDGE"',
        pattern: { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] },
        event: envelope({ service: 'EVENTBRIDGE' }),
        expected: true,
      },
      // [Filtering] Anything-but matching: a single string.
      {
        name: 'anything-but "initializing" matches state "running"',
        pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
        event: withDetail({ state: 'running' }),
        expected: true,
      },
      {
        name: 'anything-but "initializing" does not match state "initializing"',
        pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
        event: withDetail({ state: 'initializing' }),
        expected: false,
      },
      // [Validated] anything-but needs the field, and treats null as just another value.
      {
        name: 'anything-but does not match when the field is absent',
        pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
        event: withDetail({}),
        expected: false,
      },
      {
        name: 'anything-but "initializing" matches a null state',
        pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
        event: withDetail({ state: null }),
        expected: true,
      },
      {
        name: 'anything-but on an event array matches when some element is not excluded',
        pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
        event: withDetail({ state: ['initializing', 'running'] }),
        expected: true,
      },
      // [Filtering] Anything-but matching: a single number.
      {
        name: 'anything-but 123 matches x-limit 456',
        pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
        event: withDetail({ 'x-limit': 456 }),
        expected: true,
      },
      {
        name: 'anything-but 123 does not match x-limit 123',
        pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
        event: withDetail({ 'x-limit': 123 }),
        expected: false,
      },
      {
        name: 'anything-but 123 matches the string "123" (a string is not the excluded number)',
        pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
        event: withDetail({ 'x-limit': '123' }),
        expected: true,
      },
      // [Filtering] Anything-but matching: lists of strings and of numbers.
      {
        name: 'anything-but ["stopped", "overloaded"] matches "running"',
        pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
        event: withDetail({ state: 'running' }),
        expected: true,
      },
      {
        name: 'anything-but ["stopped", "overloaded"] does not match "overloaded"',
        pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
        event: withDetail({ state: 'overloaded' }),
        expected: false,
      },
      {
        name: 'anything-but [100, 200, 300] matches x-limit 301.8',
        pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
        event: withDetail({ 'x-limit': 301.8 }),
        expected: true,
      },
      {
        name: 'anything-but [100, 200, 300] does not match x-limit 200',
        pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
        event: withDetail({ 'x-limit': 200 }),
        expected: false,
      },
      // [Filtering] Anything-but matching on a prefix.
      {
        name: 'anything-but prefix "init" matches "running"',
        pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
        event: withDetail({ state: 'running' }),
        expected: true,
      },
      {
        name: 'anything-but prefix "init" does not match "initializing"',
        pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
        event: withDetail({ state: 'initializing' }),
        expected: false,
      },
      {
        name: 'anything-but prefix "init" matches a number (only strings can start with "init")',
        pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
        event: withDetail({ state: 12 }),
        expected: true,
      },
      // [Filtering] (earlier edition) Anything-but examples on the envelope.
      {
        name: 'detail-type anything-but "AWS API Call via CloudTrail" skips CloudTrail events',
        pattern: { 'detail-type': [{ 'anything-but': 'AWS API Call via CloudTrail' }] },
        event: envelope({ 'detail-type': 'AWS API Call via CloudTrail' }),
        expected: false,
      },
      {
        name: 'source anything-but ["aws.ec2", "aws.s3"] skips aws.ec2 events',
        pattern: { source: [{ 'anything-but': ['aws.ec2', 'aws.s3'] }] },
        event: envelope(),
        expected: false,
      },
      {
        name: 'source anything-but prefix "aws." keeps our own events',
        pattern: { source: [{ 'anything-but': { prefix: 'aws.' } }] },
        event: espresso('espresso.orders', 'OrderManager.OrderSubmitted', {}),
        expected: true,
      },
      {
        name: 'source anything-but prefix "aws." skips AWS service events',
        pattern: { source: [{ 'anything-but': { prefix: 'aws.' } }] },
        event: envelope(),
        expected: false,
      },
      // [Operators] / [Filtering] Anything-but (ends with).
      {
        name: 'anything-but suffix ".png" matches "notes.txt"',
        pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
        event: envelope({ FileName: 'notes.txt' }),
        expected: true,
      },
      {
        name: 'anything-but suffix ".png" does not match "photo.png"',
        pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
        event: envelope({ FileName: 'photo.png' }),
        expected: false,
      },
      // [Operators] / [Filtering] Anything-but (ignore case).
      {
        name: 'anything-but equals-ignore-case "initializing" does not match "INITIALIZING"',
        pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
        event: envelope({ state: 'INITIALIZING' }),
        expected: false,
      },
      {
        name: 'anything-but equals-ignore-case "initializing" matches "running"',
        pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
        event: envelope({ state: 'running' }),
        expected: true,
      },
      {
        name: 'anything-but equals-ignore-case with a list excludes every listed value in any case',
        pattern: {
          state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }],
        },
        event: envelope({ state: 'Stopped' }),
        expected: false,
      },
      // [Operators] / [Filtering] Anything-but using a wildcard.
      {
        name: 'anything-but wildcard "*/lib/*" does not match a path through /lib/',
        pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
        event: envelope({ FilePath: '/usr/lib/node' }),
        expected: false,
      },
      {
        name: 'anything-but wildcard "*/lib/*" matches a path outside /lib/',
        pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
        event: envelope({ FilePath: '/usr/bin/node' }),
        expected: true,
      },
      {
        name: 'anything-but with a wildcard list matches a value no wildcard covers',
        pattern: { detail: { state: [{ 'anything-but': { wildcard: ['*/init/*', '*/dir/*'] } }] } },
        event: withDetail({ state: 'dir/post/dir' }),
        expected: true,
      },
      // [Filtering] Numeric matching: the c-count / d-count / x-limit example.
      {
        name: 'numeric ranges all true (c-count 5, d-count 9, x-limit 301.8) match',
        pattern: NUMERIC_EXAMPLE,
        event: withDetail({ 'c-count': 5, 'd-count': 9, 'x-limit': 301.8 }),
        expected: true,
      },
      {
        name: 'numeric ">" is exclusive: c-count 0 does not match ["> 0", "<= 5"]',
        pattern: NUMERIC_EXAMPLE,
        event: withDetail({ 'c-count': 0, 'd-count': 9, 'x-limit': 301.8 }),
        expected: false,
      },
      {
        name: 'numeric "=" 3.018e2 does not match x-limit 302',
        pattern: NUMERIC_EXAMPLE,
        event: withDetail({ 'c-count': 5, 'd-count': 9, 'x-limit': 302 }),
        expected: false,
      },
      {
        name: 'numeric ["=", 3] matches 3',
        pattern: { detail: { count: [{ numeric: ['=', 3] }] } },
        event: withDetail({ count: 3 }),
        expected: true,
      },
      {
        name: 'numeric [">=", 200, "<=", 500] includes both bounds',
        pattern: { detail: { amount: [{ numeric: ['>=', 200, '<=', 500] }] } },
        event: withDetail({ amount: 500 }),
        expected: true,
      },
      // [Validated] Numeric matching only works with JSON numbers.
      {
        name: 'numeric [">", 100] matches the float 101.0',
        pattern: { number: [{ numeric: ['>', 100] }] },
        event: envelope({ number: 101.0 }),
        expected: true,
      },
      {
        name: 'numeric [">", 100] does not match the string "300"',
        pattern: { number: [{ numeric: ['>', 100] }] },
        event: envelope({ number: '300' }),
        expected: false,
      },
      {
        name: 'numeric [">", 0] does not match a value beyond the 5.0e9 numeric limit',
        pattern: { number: [{ numeric: ['>', 0] }] },
        event: envelope({ number: 6e9 }),
        expected: false,
      },
      {
        name: 'numeric ["<", 10] matches an event array holding one small number',
        pattern: { detail: { counts: [{ numeric: ['<', 10] }] } },
        event: withDetail({ counts: [42, 7] }),
        expected: true,
      },
      // [Filtering] IP address matching.
      {
        name: 'cidr "10.0.0.0/24" matches sourceIPAddress 10.0.0.255',
        pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
        event: withDetail({ sourceIPAddress: '10.0.0.255' }),
        expected: true,
      },
      {
        name: 'cidr "10.0.0.0/24" does not match 10.0.1.1',
        pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
        event: withDetail({ sourceIPAddress: '10.0.1.1' }),
        expected: false,
      },
      {
        name: 'an IPv6 cidr matches an address written in full form',
        pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
        event: withDetail({ sourceIPAddress: '2001:0db8:1234:1a00:0000:0000:0000:0000' }),
        expected: true,
      },
      {
        name: 'an IPv6 cidr does not match an address outside its block',
        pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
        event: withDetail({ sourceIPAddress: '2001:0db8:123f:1a01:0000:0000:0000:0000' }),
        expected: false,
      },
      {
        name: 'cidr does not match a value that is not an IP address',
        pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } },
        event: withDetail({ sourceIPAddress: 'internal.example.com' }),
        expected: false,
      },
      // [Filtering] Exists matching: the detail.c-count examples.
      {
        name: 'exists false matches an event without detail.c-count',
        pattern: { detail: { 'c-count': [{ exists: false }] } },
        event: withDetail({ state: ['initializing', 'running'] }),
        expected: true,
      },
      {
        name: 'exists false also matches when c-count is an object, which is not a leaf',
        pattern: { detail: { 'c-count': [{ exists: false }] } },
        event: withDetail({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }),
        expected: true,
      },
      {
        name: 'exists false does not match when c-count holds a value',
        pattern: { detail: { 'c-count': [{ exists: false }] } },
        event: withDetail({ 'c-count': 5 }),
        expected: false,
      },
      {
        name: 'exists true on description matches an event that has one',
        pattern: { detail: { description: [{ exists: true }] } },
        event: withDetail({ description: 'index me' }),
        expected: true,
      },
      {
        name: 'exists true does not match an event without the field',
        pattern: { detail: { description: [{ exists: true }] } },
        event: withDetail({ state: 'pending' }),
        expected: false,
      },
      // [Validated] Exists only sees leaf values.
      {
        name: 'exists true does not match an intermediate object node',
        pattern: { dynamodb: { presentKey: [{ exists: true }] } },
        event: envelope({ dynamodb: { presentKey: { S: 'test123' } } }),
        expected: false,
      },
      {
        name: 'exists true matches the leaf under that object',
        pattern: { dynamodb: { presentKey: { S: [{ exists: true }] } } },
        event: envelope({ dynamodb: { presentKey: { S: 'test123' } } }),
        expected: true,
      },
      {
        name: 'exists true matches a field whose value is null',
        pattern: { detail: { responseElements: [{ exists: true }] } },
        event: autoScalingEvent,
        expected: true,
      },
      {
        name: 'exists false matches a deep path whose parents are missing',
        pattern: { detail: { level1: { level2: { level3: [{ exists: false }] } } } },
        event: withDetail({ level1: { other: 'value' } }),
        expected: true,
      },
      {
        name: 'exists true matches when one object of an event array has the field',
        pattern: { detail: { automations: { id: [{ exists: true }] } } },
        event: withDetail({
          automations: [{ key1: 'value1' }, { id: 'match-does-exist' }, { key2: 'value2' }],
        }),
        expected: true,
      },
      {
        name: 'exists false matches an empty array, which holds no leaf value',
        pattern: { resources: [{ exists: false }] },
        event: autoScalingEvent,
        expected: true,
      },
      {
        name: 'exists true does not match an empty array',
        pattern: { resources: [{ exists: true }] },
        event: autoScalingEvent,
        expected: false,
      },
      // [Operators] Equals (ignore case).
      {
        name: 'equals-ignore-case "alice" matches Name "Alice"',
        pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
        event: envelope({ Name: 'Alice' }),
        expected: true,
      },
      {
        name: 'equals-ignore-case "alice" does not match "Alicia"',
        pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
        event: envelope({ Name: 'Alicia' }),
        expected: false,
      },
      {
        name: 'equals-ignore-case on detail-type matches the EC2 detail-type in lower case',
        pattern: {
          'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }],
        },
        event: envelope(),
        expected: true,
      },
      // [Operators] Empty: LastName is empty.
      {
        name: 'LastName [""] matches an empty LastName',
        pattern: { LastName: [''] },
        event: envelope({ LastName: '' }),
        expected: true,
      },
      // [Filtering] Wildcard matching.
      {
        name: 'wildcard "arn:aws:events:us-east-1:*:event-bus/*" matches an event bus ARN',
        pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
        event: envelope({
          EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus',
        }),
        expected: true,
      },
      {
        name: 'a wildcard spans several path levels: "/Users/*/doc.txt" matches a deep path',
        pattern: { FileName: [{ wildcard: '/Users/*/doc.txt' }] },
        event: envelope({ FileName: '/Users/ls_user/dir/dir/dir/dir/dir/doc.txt' }),
        expected: true,
      },
      {
        name: '"/Users/*/doc.txt" does not match a different file name',
        pattern: { FileName: [{ wildcard: '/Users/*/doc.txt' }] },
        event: envelope({ FileName: '/Users/ls_user/dir/notmatchingdoc.txt' }),
        expected: false,
      },
      {
        name: 'a wildcard matches zero characters: "Simple*Service" matches "SimpleService"',
        pattern: { source: [{ wildcard: 'Simple*Service' }] },
        event: envelope({ source: 'SimpleService' }),
        expected: true,
      },
      {
        name: 'wildcard "*Title*" matches a value with Title in the middle',
        pattern: { detail: { name: [{ wildcard: '*Title*' }] } },
        event: withDetail({ name: 'The Title Page' }),
        expected: true,
      },
      {
        name: 'an escaped \\* matches a literal asterisk',
        pattern: { detail: { name: [{ wildcard: 'file\\*.txt' }] } },
        event: withDetail({ name: 'file*.txt' }),
        expected: true,
      },
      {
        name: 'an escaped \\* does not act as a wildcard',
        pattern: { detail: { name: [{ wildcard: 'file\\*.txt' }] } },
        event: withDetail({ name: 'file1.txt' }),
        expected: false,
      },
      {
        name: 'an escaped \\\\ matches a literal backslash before a wildcard',
        pattern: { detail: { path: [{ wildcard: 'C:\\\\*' }] } },
        event: withDetail({ path: 'C:\\Windows' }),
        expected: true,
      },
      {
        name: 'wildcard matching only works on strings',
        pattern: { detail: { count: [{ wildcard: '*' }] } },
        event: withDetail({ count: 123 }),
        expected: false,
      },
      // [Filtering] Complex example with $or matching.
      {
        name: '$or matches when one branch does (d-count 0 is < 10)',
        pattern: OR_NUMERIC_EXAMPLE,
        event: withDetail({ 'c-count': 0, 'd-count': 0, 'x-limit': 9.018e2 }),
        expected: true,
      },
      {
        name: '$or does not match when no branch does',
        pattern: OR_NUMERIC_EXAMPLE,
        event: withDetail({ 'c-count': 0, 'd-count': 10, 'x-limit': 9.018e2 }),
        expected: false,
      },
      // [Operators] Or: Location is "New York" or Day is "Monday".
      {
        name: '$or of Location and Day matches an event with only Day "Monday"',
        pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
        event: envelope({ Day: 'Monday' }),
        expected: true,
      },
      {
        name: '$or of Location and Day does not match neither',
        pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
        event: envelope({ Location: 'Boston', Day: 'Sunday' }),
        expected: false,
      },
      // [Operators] And: Location is "New York" and Day is "Monday".
      {
        name: 'two fields are ANDed: Location and Day must both match',
        pattern: { Location: ['New York'], Day: ['Monday'] },
        event: envelope({ Location: 'New York', Day: 'Sunday' }),
        expected: false,
      },
      // [Ruler] "$or" forms: source && (metricName || namespace), and nested Or inside And.
      {
        name: 'source AND $or(metricName, namespace) matches on the namespace branch',
        pattern: CLOUDWATCH_OR,
        event: envelope({ source: 'aws.cloudwatch', namespace: 'AWS/EC2' }),
        expected: true,
      },
      {
        name: 'source AND $or(metricName, namespace) needs the source too',
        pattern: CLOUDWATCH_OR,
        event: envelope({ source: 'aws.ec2', namespace: 'AWS/EC2' }),
        expected: false,
      },
      {
        name: 'a $or nested in a $or branch matches through the inner branch',
        pattern: {
          source: ['aws.cloudwatch'],
          $or: [
            { metricName: ['CPUUtilization'] },
            {
              metricType: ['MetricType'],
              namespace: ['AWS/EC2'],
              $or: [{ metricId: [1234] }, { spaceId: [1000] }],
            },
          ],
        },
        event: envelope({
          source: 'aws.cloudwatch',
          metricType: 'MetricType',
          namespace: 'AWS/EC2',
          spaceId: 1000,
        }),
        expected: true,
      },
      // [Validated] $or branches mixing anything-but and exists on a missing DynamoDB attribute.
      {
        name: '$or-like alternatives: exists false matches where anything-but cannot',
        pattern: {
          dynamodb: {
            NewImage: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } },
          },
        },
        event: envelope({ dynamodb: { NewImage: { purchased: { N: '789' } } } }),
        expected: true,
      },
      // [Filtering] Complex example with multiple matching.
      {
        name: 'the complex example matches when every field passes',
        pattern: COMPLEX_EXAMPLE,
        event: envelope({
          time: '2017-10-02T18:43:48Z',
          detail: { state: 'running', 'c-count': 3, 'd-count': 9, 'x-limit': 301.8 },
        }),
        expected: true,
      },
      {
        name: 'the complex example does not match an excluded x-limit of 300',
        pattern: COMPLEX_EXAMPLE,
        event: envelope({
          time: '2017-10-02T18:43:48Z',
          detail: { state: 'running', 'c-count': 3, 'd-count': 9, 'x-limit': 300 },
        }),
        expected: false,
      },
      // Our system: the rules the espresso services put on the bus.
      {
        name: 'the config-changed rule matches ConfigService.ConfigChanged from espresso.config',
        pattern: { source: ['espresso.config'], 'detail-type': ['ConfigService.ConfigChanged'] },
        event: espresso('espresso.config', 'ConfigService.ConfigChanged', { shopId: 'demo' }),
        expected: true,
      },
      {
        name: 'the config-changed rule ignores the same detail-type from another source',
        pattern: { source: ['espresso.config'], 'detail-type': ['ConfigService.ConfigChanged'] },
        event: espresso('espresso.orders', 'ConfigService.ConfigChanged', { shopId: 'demo' }),
        expected: false,
      },
      {
        name: 'the config-changed rule ignores other espresso.config events',
        pattern: { source: ['espresso.config'], 'detail-type': ['ConfigService.ConfigChanged'] },
        event: espresso('espresso.config', 'ConfigService.MenuPublished', { shopId: 'demo' }),
        expected: false,
      },
      {
        name: 'the OrderManager prefix rule matches OrderManager.OrderSubmitted',
        pattern: { 'detail-type': [{ prefix: 'OrderManager.' }] },
        event: espresso('espresso.orders', 'OrderManager.OrderSubmitted', { orderId: 'o-1' }),
        expected: true,
      },
      {
        name: 'the OrderManager prefix rule ignores OrderProcessor events',
        pattern: { 'detail-type': [{ prefix: 'OrderManager.' }] },
        event: espresso('espresso.orders', 'OrderProcessor.WorkflowStarted', { orderId: 'o-1' }),
        expected: false,
      },
      {
        name: 'the OrderManager prefix rule is case-sensitive',
        pattern: { 'detail-type': [{ prefix: 'OrderManager.' }] },
        event: espresso('espresso.orders', 'ordermanager.OrderSubmitted', { orderId: 'o-1' }),
        expected: false,
      },
      {
        name: 'the shop rule matches events for shop demo',
        pattern: { detail: { shopId: ['demo'] } },
        event: espresso('espresso.orders', 'OrderManager.OrderSubmitted', { shopId: 'demo' }),
        expected: true,
      },
      {
        name: 'the shop rule ignores events for another shop',
        pattern: { detail: { shopId: ['demo'] } },
        event: espresso('espresso.orders', 'OrderManager.OrderSubmitted', { shopId: 'downtown' }),
        expected: false,
      },
      {
        name: 'the shop rule ignores events without a shopId',
        pattern: { detail: { shopId: ['demo'] } },
        event: espresso('espresso.config', 'ConfigService.ConfigChanged', {}),
        expected: false,
      },
      {
        name: 'the order lifecycle $or rule matches OrderManager.OrderCancelled',
        pattern: ORDER_LIFECYCLE,
        event: espresso('espresso.orders', 'OrderManager.OrderCancelled', { orderId: 'o-2' }),
        expected: true,
      },
      {
        name: 'the order lifecycle $or rule ignores OrderManager.OrderSubmitted',
        pattern: ORDER_LIFECYCLE,
        event: espresso('espresso.orders', 'OrderManager.OrderSubmitted', { orderId: 'o-2' }),
        expected: false,
      },
      {
        name: 'the order lifecycle $or rule still needs source espresso.orders',
        pattern: ORDER_LIFECYCLE,
        event: espresso('espresso.config', 'OrderManager.OrderCompleted', { orderId: 'o-2' }),
        expected: false,
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(matchesPattern(c.pattern, c.event)).to.equal(c.expected);
      });
    });
  });

  describe('validatePattern refuses what EventBridge refuses', () => {
    [
      {
        name: 'a pattern that is not an object',
        pattern: ['aws.ec2'],
        reason: 'Filter is not an object',
      },
      { name: 'a null pattern', pattern: null, reason: 'Filter is not an object' },
      { name: 'the empty pattern {}', pattern: {}, reason: 'Empty objects are not allowed' },
      {
        name: 'an empty nested object',
        pattern: { source: ['aws.ec2'], detail: {} },
        reason: 'Empty objects are not allowed',
      },
      {
        name: 'a string leaf that is not in an array',
        pattern: { source: 'aws.ec2' },
        reason: '"source" must be an object or an array',
      },
      {
        name: 'a number leaf that is not in an array',
        pattern: { detail: { int: 42 } },
        reason: '"int" must be an object or an array',
      },
      {
        name: 'an empty array',
        pattern: { resources: [] },
        reason: 'Empty arrays are not allowed',
      },
      {
        name: 'an array inside a leaf array',
        pattern: { source: [['aws.ec2']] },
        reason: 'Match value must be String, number, true, false, or null',
      },
      {
        name: 'an empty match expression',
        pattern: { source: [{}] },
        reason: 'Match expression name not found',
      },
      {
        name: 'an unknown operator',
        pattern: { source: [{ contains: 'ec2' }] },
        reason: 'Unrecognized match type contains',
      },
      {
        name: 'an operator in the wrong case (EXISTS)',
        pattern: { my_key: [{ EXISTS: true }] },
        reason: 'Unrecognized match type EXISTS',
      },
      {
        name: 'two operators in one match expression',
        pattern: { FileName: [{ prefix: 'img', suffix: '.png' }] },
        reason: 'Only one key allowed in match expression',
      },
      {
        name: 'a prefix that is a number',
        pattern: { time: [{ prefix: 123 }] },
        reason: 'prefix match pattern must be a string',
      },
      {
        name: 'a prefix that is a list',
        pattern: { time: [{ prefix: ['2022-07-13'] }] },
        reason: 'prefix match pattern must be a string',
      },
      {
        name: 'a suffix that is a list',
        pattern: { FileName: [{ suffix: ['.png'] }] },
        reason: 'suffix match pattern must be a string',
      },
      {
        name: 'a prefix object with another operator than equals-ignore-case',
        pattern: { service: [{ prefix: { wildcard: 'Event*' } }] },
        reason: 'Unsupported prefix pattern: wildcard',
      },
      {
        name: 'equals-ignore-case with a list',
        pattern: {
          'detail-type': [{ 'equals-ignore-case': ['ec2 instance state-change notification'] }],
        },
        reason: 'equals-ignore-case match pattern must be a string',
      },
      {
        name: 'equals-ignore-case with an object',
        pattern: { 'detail-type': [{ 'equals-ignore-case': { prefix: 'ec2' } }] },
        reason: 'equals-ignore-case match pattern must be a string',
      },
      {
        name: 'numeric that is not an array',
        pattern: { detail: { count: [{ numeric: 5 }] } },
        reason: 'Value of numeric must be an array.',
      },
      {
        name: 'an empty numeric array',
        pattern: { detail: { count: [{ numeric: [] }] } },
        reason: 'Invalid member in numeric match: ]',
      },
      {
        name: 'an unknown numeric operator',
        pattern: { detail: { count: [{ numeric: ['!=', 5] }] } },
        reason: 'Unrecognized numeric range operator: !=',
      },
      {
        name: 'a numeric "=" with a string operand',
        pattern: { detail: { count: [{ numeric: ['=', '5'] }] } },
        reason: 'Value of equals must be numeric',
      },
      {
        name: 'a numeric range whose upper operator is ">"',
        pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '>', 0] }] } },
        reason: 'Bad numeric range operator: >',
      },
      {
        name: 'a numeric range missing its upper value',
        pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<'] }] } },
        reason: 'Value of < must be numeric',
      },
      {
        name: 'a numeric range whose bottom is above its top',
        pattern: { detail: { count: [{ numeric: ['>', 10, '<', 5] }] } },
        reason: 'Bottom must be less than top',
      },
      {
        name: 'a numeric range that starts with "<"',
        pattern: { detail: { count: [{ numeric: ['<', 5, '>', 1] }] } },
        reason: 'Too many elements in numeric expression',
      },
      {
        name: 'a numeric range with a fifth term',
        pattern: { detail: { count: [{ numeric: ['>', 0, '<', 5, 6] }] } },
        reason: 'Too many terms in numeric range expression',
      },
      {
        name: 'a numeric value beyond the 5.0e9 limit',
        pattern: { detail: { count: [{ numeric: ['<', 6e9] }] } },
        reason: 'Value must be between -5.0E9 and 5.0E9, inclusive',
      },
      {
        name: 'exists with a string',
        pattern: { detail: { state: [{ exists: 'true' }] } },
        reason: 'exists match pattern must be either true or false.',
      },
      {
        name: 'anything-but with a boolean',
        pattern: { detail: { state: [{ 'anything-but': true }] } },
        reason: 'Value of anything-but must be an array or single string/number value.',
      },
      {
        name: 'anything-but with a list mixing strings and numbers',
        pattern: { detail: { state: [{ 'anything-but': ['stopped', 100] }] } },
        reason: 'Inside anything but list, either all values are number or string, mixed type',
      },
      {
        name: 'anything-but with null in its list',
        pattern: { detail: { state: [{ 'anything-but': [null] }] } },
        reason: 'Inside anything but list, start|null|boolean is not supported.',
      },
      {
        name: 'anything-but with an unsupported nested operator',
        pattern: { detail: { count: [{ 'anything-but': { numeric: ['>', 1] } }] } },
        reason: 'Unsupported anything-but pattern: numeric',
      },
      {
        name: 'anything-but prefix with a number',
        pattern: { detail: { state: [{ 'anything-but': { prefix: 123 } }] } },
        reason: 'prefix/suffix match pattern must be a string',
      },
      {
        name: 'anything-but suffix with a number in its list',
        pattern: { detail: { FileName: [{ 'anything-but': { suffix: [123, '.txt'] } }] } },
        reason: 'prefix/suffix match pattern must be a string',
      },
      {
        name: 'anything-but with an empty prefix',
        pattern: { detail: { state: [{ 'anything-but': { prefix: '' } }] } },
        reason: 'Null prefix/suffix not allowed',
      },
      {
        name: 'anything-but equals-ignore-case with a number',
        pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 123 } }] } },
        reason:
          'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
      },
      {
        name: 'anything-but wildcard with a number',
        pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: 123 } }] } },
        reason: 'wildcard match pattern must be a string',
      },
      {
        name: 'anything-but prefix with equals-ignore-case (not supported together)',
        pattern: {
          detail: { FileName: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'file' } } }] },
        },
        reason: 'Value of anything-but must be an array or single string/number value.',
      },
      {
        name: 'a wildcard that is not a string',
        pattern: { EventBusArn: [{ wildcard: 123 }] },
        reason: 'wildcard match pattern must be a string',
      },
      {
        name: 'consecutive wildcard characters',
        pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] },
        reason: 'Consecutive wildcard characters at pos 26',
      },
      {
        name: 'a backslash escaping anything but * or \\',
        pattern: { FileName: [{ wildcard: 'a\\b*' }] },
        reason: 'Invalid escape character at pos 2',
      },
      {
        name: 'a CIDR without a mask',
        pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0' }] } },
        reason: "Malformed CIDR, one '/' required",
      },
      {
        name: 'a CIDR whose mask is not a number',
        pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/xx' }] } },
        reason: 'Malformed CIDR, mask bits must be an integer',
      },
      {
        name: 'a CIDR with a malformed IPv4 address',
        pattern: { detail: { sourceIPAddress: [{ cidr: 'xx.11.xx/24' }] } },
        reason: 'Nonstandard IP address: xx.11.xx',
      },
      {
        name: 'a CIDR with a malformed IPv6 address',
        pattern: { detail: { sourceIPAddress: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] } },
        reason: 'Nonstandard IP address: xxxx:db8:1234:1a00::',
      },
      {
        name: 'a CIDR given as a list',
        pattern: { detail: { sourceIPAddress: [{ cidr: ['bad-type'] }] } },
        reason: 'prefix match pattern must be a string',
      },
      {
        name: 'an IPv4 CIDR mask above 31',
        pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/33' }] } },
        reason: 'IPv4 mask bits must be < 32',
      },
      {
        name: '$or with an object instead of an array',
        pattern: { $or: { source: ['aws.ec2'] } },
        reason: 'It must be an Array followed with $or.',
      },
      {
        name: '$or with a single branch',
        pattern: { $or: [{ source: ['aws.ec2'] }] },
        reason: 'There must have at least 2 Objects in $or relationship.',
      },
      {
        name: '$or with a branch that is not an object',
        pattern: { $or: [{ source: ['aws.ec2'] }, 'aws.s3'] },
        reason: 'Only JSON object is allowed in array of $or relationship.',
      },
      {
        name: '$or with operators used as field names',
        pattern: { $or: [{ numeric: ['>', 1] }, { prefix: ['abc'] }] },
        reason: 'numeric is Ruler reserved fieldName which cannot be used inside $or.',
      },
      {
        name: '$or with an empty branch',
        pattern: { $or: [{ source: ['aws.ec2'] }, {}] },
        reason: 'Empty objects are not allowed',
      },
    ].forEach((c) => {
      it(`refuses ${c.name}`, () => {
        expect(() => validatePattern(c.pattern))
          .to.throw(InvalidEventPatternError, `Event pattern is not valid. Reason: ${c.reason}`)
          .with.property('name', 'InvalidEventPatternException');
      });
    });

    [
      { name: 'the EC2 termination example', pattern: EC2_TERMINATION },
      { name: 'the numeric example', pattern: NUMERIC_EXAMPLE },
      { name: 'the complex example', pattern: COMPLEX_EXAMPLE },
      { name: 'the $or example', pattern: OR_NUMERIC_EXAMPLE },
      {
        name: 'an operator name used as a field outside $or',
        pattern: { detail: { prefix: ['x'] } },
      },
      {
        name: 'an anything-but suffix list',
        pattern: { FileName: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] },
      },
    ].forEach((c) => {
      it(`accepts ${c.name}`, () => {
        expect(() => validatePattern(c.pattern)).not.to.throw();
      });
    });

    it('makes matchesPattern throw for a pattern it refuses', () => {
      expect(() => matchesPattern({ source: 'aws.ec2' }, envelope())).to.throw(
        InvalidEventPatternError,
        '"source" must be an object or an array',
      );
    });
  });

  describe('compilePattern', () => {
    it('compiles a pattern once and matches many events with it', () => {
      const matches = compilePattern({ 'detail-type': [{ prefix: 'OrderManager.' }] });
      expect(
        [
          espresso('espresso.orders', 'OrderManager.OrderSubmitted', {}),
          espresso('espresso.orders', 'OrderProcessor.WorkflowStarted', {}),
          espresso('espresso.orders', 'OrderManager.OrderCompleted', {}),
        ].map(matches),
      ).to.deep.equal([true, false, true]);
    });
  });
});
