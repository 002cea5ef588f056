package io.podflow.schema.json;

import com.google.protobuf.ProtocolMessageEnum;
import java.util.Locale;

/**
 * Keywords of protobuf enum values in the JSON form: the value's name without its type prefix, in
 * lower case ({@code END_REASON_IDLE_TIMEOUT} is {@code "idle_timeout"}). Computed once per enum
 * type so that writing a record allocates no strings for its enums.
 */
final class EnumKeywords<E extends Enum<E> & ProtocolMessageEnum> {
  private final String[] byOrdinal;

  EnumKeywords(Class<E> type, String prefix) {
    E[] values = type.getEnumConstants();
    byOrdinal = new String[values.length];
    for (E value : values) {
      String name = value.name();
      boolean unspecified = value.ordinal() == 0 || !name.startsWith(prefix);
      byOrdinal[value.ordinal()] =
          unspecified ? null : name.substring(prefix.length()).toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The keyword, or null for the UNSPECIFIED value (value 0) and for values this build does not
   * know.
   */
  String of(E value) {
    return byOrdinal[value.ordinal()];
  }
}
