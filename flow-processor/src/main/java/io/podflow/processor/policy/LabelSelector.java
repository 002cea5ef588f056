package io.podflow.processor.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A Kubernetes label selector: every matchLabels pair and every expression must hold. The empty
 * selector ({@code {}}) matches everything.
 */
public final class LabelSelector {
  public static final LabelSelector ALL = new LabelSelector(Map.of(), List.of());

  private final Map<String, String> matchLabels;
  private final List<Requirement> expressions;
  // The same pairs as arrays: matching runs for every rule a verdict looks at, and walking a
  // map's entries allocates an iterator.
  private final String[] keys;
  private final String[] values;
  private final Requirement[] requirements;

  public LabelSelector(Map<String, String> matchLabels, List<Requirement> expressions) {
    this.matchLabels = Map.copyOf(Objects.requireNonNull(matchLabels, "matchLabels"));
    this.expressions = List.copyOf(Objects.requireNonNull(expressions, "expressions"));
    this.keys = this.matchLabels.keySet().toArray(new String[0]);
    this.values = new String[keys.length];
    for (int i = 0; i < keys.length; i++) {
      values[i] = this.matchLabels.get(keys[i]);
    }
    this.requirements = this.expressions.toArray(new Requirement[0]);
  }

  public Map<String, String> matchLabels() {
    return matchLabels;
  }

  public List<Requirement> expressions() {
    return expressions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelSelector other
        && other.matchLabels.equals(matchLabels)
        && other.expressions.equals(expressions);
  }

  @Override
  public int hashCode() {
    return matchLabels.hashCode() * 31 + expressions.hashCode();
  }

  public static LabelSelector of(Map<String, String> matchLabels) {
    return new LabelSelector(matchLabels, List.of());
  }

  public boolean isEmpty() {
    return matchLabels.isEmpty() && expressions.isEmpty();
  }

  public boolean matches(Map<String, String> labels) {
    for (int i = 0; i < keys.length; i++) {
      if (!values[i].equals(labels.get(keys[i]))) {
        return false;
      }
    }
    for (Requirement requirement : requirements) {
      if (!requirement.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** One matchExpressions entry. */
  public record Requirement(String key, Operator operator, Set<String> values) {
    public Requirement {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(operator, "operator");
      values = Set.copyOf(values);
      if ((operator == Operator.IN || operator == Operator.NOT_IN) && values.isEmpty()) {
        throw new IllegalArgumentException(operator.text + " on '" + key + "' needs values");
      }
      if ((operator == Operator.EXISTS || operator == Operator.DOES_NOT_EXIST)
          && !values.isEmpty()) {
        throw new IllegalArgumentException(operator.text + " on '" + key + "' takes no values");
      }
    }

    boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case IN -> value != null && values.contains(value);
        case NOT_IN -> value == null || !values.contains(value);
        case EXISTS -> value != null;
        case DOES_NOT_EXIST -> value == null;
      };
    }

    @Override
    public String toString() {
      return switch (operator) {
        case IN, NOT_IN ->
            key
                + " "
                + operator.text
                + " ("
                + String.join(",", new java.util.TreeSet<>(values))
                + ")";
        case EXISTS -> key;
        case DOES_NOT_EXIST -> "!" + key;
      };
    }
  }

  /** The operators of matchExpressions. */
  public enum Operator {
    IN("In"),
    NOT_IN("NotIn"),
    EXISTS("Exists"),
    DOES_NOT_EXIST("DoesNotExist");

    final String text;

    Operator(String text) {
      this.text = text;
    }

    /** The operator spelled as in a manifest, or null. */
    public static Operator parse(String text) {
      for (Operator o : values()) {
        if (o.text.equals(text)) {
          return o;
        }
      }
      return null;
    }
  }

  /** As people write selectors: {@code app=web,tier in (a,b)}; {@code all} for {}. */
  @Override
  public String toString() {
    if (isEmpty()) {
      return "all";
    }
    StringBuilder text = new StringBuilder();
    new java.util.TreeMap<>(matchLabels)
        .forEach((k, v) -> text.append(text.isEmpty() ? "" : ",").append(k).append('=').append(v));
    for (Requirement r : expressions) {
      text.append(text.isEmpty() ? "" : ",").append(r);
    }
    return text.toString();
  }
}
