// Synthesizes a WebSocket chat stack with the AWS CDK and writes its
// CloudFormation template to chat.template.json (or the path given as the
// first argument), the fixture the importer tests read. Run
// `npm ci && npm run synth` in this folder to regenerate it; no AWS account
// or CDK CLI is needed.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, RemovalPolicy } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Table, AttributeType, BillingMode } from 'aws-cdk-lib/aws-dynamodb';
import { Function as LambdaFunction, Runtime, Code } from 'aws-cdk-lib/aws-lambda';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, 'cdk.out');
mkdirSync(outdir, { recursive: true });

// The CDK CLI turns these on for `cdk synth`; set here so the fixture has the
// same asset and construct-path metadata without the CLI.
const app = new App({
  outdir,
  context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true },
});
const stack = new Stack(app, 'ChatStack', { analyticsReporting: true });

const table = new Table(stack, 'Connections', {
  partitionKey: { name: 'connectionId', type: AttributeType.STRING },
  billingMode: BillingMode.PAY_PER_REQUEST,
  removalPolicy: RemovalPolicy.DESTROY,
});

const code = Code.fromAsset(join(here, 'handlers'));
const handler = (id, file, memorySize) =>
  new LambdaFunction(stack, id, {
    runtime: Runtime.NODEJS_22_X,
    handler: `${file}.handler`,
    code,
    memorySize,
    environment: { TABLE_NAME: table.tableName },
  });

const connect = handler('ConnectHandler', 'connect', 256);
const disconnect = handler('DisconnectHandler', 'disconnect', 128);
const fallback = handler('DefaultHandler', 'default', 128);
const send = handler('SendHandler', 'send', 512);

for (const fn of [connect, disconnect, send]) {
  table.grantReadWriteData(fn);
}

const api = new WebSocketApi(stack, 'ChatApi', {
  routeSelectionExpression: '$request.body.action',
  connectRouteOptions: { integration: new WebSocketLambdaIntegration('ConnectIntegration', connect) },
  disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('DisconnectIntegration', disconnect) },
  defaultRouteOptions: { integration: new WebSocketLambdaIntegration('DefaultIntegration', fallback) },
});
api.addRoute('sendMessage', { integration: new WebSocketLambdaIntegration('SendIntegration', send) });

const stage = new WebSocketStage(stack, 'ProdStage', { webSocketApi: api, stageName: 'prod', autoDeploy: true });
api.grantManageConnections(send);
api.grantManageConnections(fallback);

const assembly = app.synth();
const template = assembly.getStackByName(stack.stackName).template;
const out = process.argv[2] ?? join(here, 'chat.template.json');
writeFileSync(out, JSON.stringify(template, null, 1) + '\n');
console.log(`wrote ${out} (${Object.keys(template.Resources).length} resources; stage ${stage.stageName})`);
