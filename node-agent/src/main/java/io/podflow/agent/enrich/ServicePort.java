package io.podflow.agent.enrich;

/**
 * A Service as a flow's endpoint: the service and the name of the port reached (empty when the port
 * has no name).
 */
public record ServicePort(String namespace, String name, String portName) {}
