package io.podflow.processor.sink.opensearch;

/** OpenSearch answered a whole request with a status that is not 2xx. */
final class RequestRefused extends RuntimeException {
  private final int status;

  RequestRefused(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }
}
