package io.lbmanager.demo;

/** The payload the demo's registrations carry, as a service team's would; lb-manager never reads it. */
public record DemoPayload(String team, String description) {
}
