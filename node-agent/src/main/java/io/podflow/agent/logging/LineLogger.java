package io.podflow.agent.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/** An SLF4J logger writing through {@link LogLines}, key-value pairs included. */
final class LineLogger extends LegacyAbstractLogger implements LoggingEventAware {
  LineLogger(String name) {
    this.name = name;
  }

  @Override
  public boolean isTraceEnabled() {
    return LogLines.enabled(name, Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return LogLines.enabled(name, Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return LogLines.enabled(name, Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return LogLines.enabled(name, Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return LogLines.enabled(name, Level.ERROR);
  }

  @Override
  public void log(LoggingEvent event) {
    if (!LogLines.enabled(name, event.getLevel())) {
      return;
    }
    Object[] args = event.getArgumentArray();
    LogLines.write(
        name,
        event.getLevel(),
        MessageFormatter.basicArrayFormat(event.getMessage(), args),
        event.getKeyValuePairs(),
        event.getThrowable());
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] args, Throwable error) {
    LogLines.write(name, level, MessageFormatter.basicArrayFormat(pattern, args), null, error);
  }
}
