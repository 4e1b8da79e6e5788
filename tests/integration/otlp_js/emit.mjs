// Exports metrics with the OpenTelemetry JS SDK to Strata's OTLP receiver,
// for tests/integration/otlp_js_test.cc:
//   node emit.mjs <url> <service.name> <cumulative|delta> <gzip|none>
// The instruments are those of seed 003 (a "bots framework": bot.* counters
// and histograms with provider/model/... attributes) plus a gauge, an
// up-down counter and a histogram with a unit, so every translation rule
// shows. Two collections one second apart, so rate() has two samples.
// Exits non-zero when an export fails; the URL must be 127.0.0.1.
import { metrics } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';

const [url, service, temporality, compression] = process.argv.slice(2);
if (!url || !url.startsWith('http://127.0.0.1:')) {
  console.error('usage: emit.mjs http://127.0.0.1:<port>/api/v1/otlp/v1/metrics <service> ...');
  process.exit(2);
}

const exporter = new OTLPMetricExporter({
  url,
  compression: compression === 'gzip' ? 'gzip' : 'none',
  temporalityPreference:
    temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
  timeoutMillis: 10000,
});
const reader = new PeriodicExportingMetricReader({
  exporter,
  exportIntervalMillis: 3600000, // only the explicit flushes below export
  exportTimeoutMillis: 10000,
});
const provider = new MeterProvider({
  resource: new Resource({
    'service.name': service,
    'service.namespace': 'bots',
    'service.instance.id': 'worker-1',
    'deployment.environment': 'test',
    'host.name': 'ci-host',
  }),
  readers: [reader],
});
metrics.setGlobalMeterProvider(provider);
const meter = metrics.getMeter('bots-framework', '1.0.0');

const hist = (name) => meter.createHistogram(name);
const responseTime = hist('bot.response_time');
const apiCallDuration = hist('bot.api_call_duration');
const toolExecutionDuration = hist('bot.tool_execution_duration');
const messageBuildingDuration = hist('bot.message_building_duration');
const costUsd = hist('bot.cost_usd');
const apiCalls = meter.createCounter('bot.api_calls_total');
const toolCalls = meter.createCounter('bot.tool_calls_total');
const tokensUsed = meter.createCounter('bot.tokens_used');
const costTotal = meter.createCounter('bot.cost_total_usd');
const errors = meter.createCounter('bot.errors_total');
const toolFailures = meter.createCounter('bot.tool_failures_total');
const httpDuration = meter.createHistogram('http.server.duration', { unit: 'ms' });
const queueSize = meter.createUpDownCounter('bot.queue.size', { unit: '{messages}' });
const memory = meter.createObservableGauge('process.memory.utilization', { unit: '1' });
memory.addCallback((r) => r.observe(0.42));

function record(round) {
  for (const [provider, model] of [['anthropic', 'claude-3-5-sonnet-latest'], ['openai', 'gpt-4o']]) {
    const ok = { provider, model, status: 'success', success: 'true' };
    const bad = { provider, model, status: 'error', success: 'false' };
    for (let i = 0; i < 10 * round; i++) {
      responseTime.record(0.2 + 0.01 * i, ok);
      apiCallDuration.record(0.15 + 0.01 * i, { provider, model, status: 'success' });
      messageBuildingDuration.record(0.002 * (i + 1), { provider });
      costUsd.record(0.1 + 0.01 * i, { provider, model });
      apiCalls.add(1, { provider, model, status: 'success' });
      tokensUsed.add(100, { provider, model, token_type: 'input' });
      tokensUsed.add(250, { provider, model, token_type: 'output' });
      costTotal.add(0.5, { provider, model });
      httpDuration.record(12 + i, { 'http.method': 'POST' });
    }
    responseTime.record(2.5, bad);
    apiCalls.add(round, { provider, model, status: 'error' });
    errors.add(round, { provider, error_type: 'RateLimitError', operation: 'respond' });
  }
  for (const tool of ['search', 'calculator']) {
    toolCalls.add(5 * round, { tool_name: tool, success: 'true' });
    toolCalls.add(round, { tool_name: tool, success: 'false' });
    toolFailures.add(round, { tool_name: tool, error_type: 'Timeout' });
    toolExecutionDuration.record(0.05 * round, { tool_name: tool, success: 'true' });
    toolExecutionDuration.record(1.5, { tool_name: tool, success: 'false' });
  }
  queueSize.add(round === 1 ? 3 : -1);
}

record(1);
await reader.forceFlush();
await new Promise((r) => setTimeout(r, 1100));
record(2);
await reader.forceFlush();
await provider.shutdown();
console.log('exported');
