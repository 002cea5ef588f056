package io.podflow.stack.junit;

import io.podflow.stack.KafkaBroker;
import io.podflow.stack.LocalStack;
import io.podflow.stack.OpenSearchNode;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the running {@link LocalStack}, started on first use and shared by every test of the
 * run (the JUnit root context owns it and closes it at the end of the run). Tests take it, or one
 * of its servers, as a parameter:
 *
 * <pre>{@code
 * @ExtendWith(LocalStackExtension.class)
 * class FlowsIT {
 *   @Test void indexesFlows(LocalStack stack) { ... }
 * }
 * }</pre>
 *
 * Tests that stop a server (failure tests) must start it again before they end.
 */
public final class LocalStackExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LocalStackExtension.class);
  private static final Set<Class<?>> RESOLVED =
      Set.of(LocalStack.class, KafkaBroker.class, OpenSearchNode.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return RESOLVED.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    LocalStack stack = stack(context);
    Class<?> type = parameter.getParameter().getType();
    if (type == KafkaBroker.class) {
      return stack.kafka();
    }
    if (type == OpenSearchNode.class) {
      return stack.openSearch();
    }
    return stack;
  }

  /** The run's stack, started if this is its first use. */
  public static LocalStack stack(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            SharedStack.class,
            key -> new SharedStack(LocalStack.start(LocalStack.Options.defaults())),
            SharedStack.class)
        .stack();
  }

  /** Closed by JUnit when the root context closes, at the end of the run. */
  private record SharedStack(LocalStack stack) implements AutoCloseable {
    @Override
    public void close() {
      stack.close();
    }
  }
}
