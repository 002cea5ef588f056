package io.podflow.processor.sink.opensearch;

/**
 * A document for an index: where it goes, its id (derived from its content, so that writing it
 * again after a replay overwrites it) and its JSON source. A Flink POJO.
 */
public final class Document {
  public String index;
  public String id;
  public String json;

  public Document() {}

  public Document(String index, String id, String json) {
    this.index = index;
    this.id = id;
    this.json = json;
  }
}
