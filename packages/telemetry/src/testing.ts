import { createRequire } from 'node:module';
import type * as SdkNode from '@opentelemetry/sdk-node';
import { context, propagation, trace } from '@opentelemetry/api';

// Loaded on call, like start.ts: only tests import this module.
const loadCommonJs = createRequire(import.meta.url);

export interface RecordedSpans {
  /** Every span ended since recordSpans (and before stop), in the order they ended. */
  finished(): SdkNode.tracing.ReadableSpan[];
  /** Unregisters the provider and context manager: the API is a no-op again. */
  stop(): Promise<void>;
}

/**
 * For tests: records every span of this process in memory (InMemorySpanExporter), with the
 * AsyncLocalStorage context manager NodeSDK registers, so withSpan, log correlation and
 * activeTraceIds behave as in a service that exports spans.
 */
export function recordSpans(): RecordedSpans {
  const { node, tracing } = loadCommonJs('@opentelemetry/sdk-node') as typeof SdkNode;
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new node.NodeTracerProvider({
    spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
  });
  provider.register();
  let kept: SdkNode.tracing.ReadableSpan[] | undefined;
  return {
    finished: () => kept ?? exporter.getFinishedSpans(),
    async stop() {
      // Shutting the provider down empties the exporter: keep what it holds for finished().
      kept = [...exporter.getFinishedSpans()];
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
