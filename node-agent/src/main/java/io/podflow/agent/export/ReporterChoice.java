package io.podflow.agent.export;

import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Reporter;

/**
 * Which ends an enriched record is reported for (see {@code enrich.Reporters}): none (another
 * interface reports the connection), one, or both. The array is shared and must not be modified.
 */
@FunctionalInterface
public interface ReporterChoice {
  Reporter[] of(FlowRecord.Builder record);
}
