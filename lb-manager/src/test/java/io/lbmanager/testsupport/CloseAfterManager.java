package io.lbmanager.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes what a test class registered (its ZooKeeper server) after the manager under test has
 * stopped. Register it before {@code DropwizardExtensionsSupport} ({@code @ExtendWith({CloseAfterManager.class,
 * DropwizardExtensionsSupport.class})}): afterAll callbacks run in reverse order. Closed any earlier, the
 * manager's in-flight requests wait on a ZooKeeper that is gone and Jetty's graceful stop times out.
 */
public final class CloseAfterManager implements AfterAllCallback {

    private static final Map<Class<?>, List<AutoCloseable>> REGISTERED = new ConcurrentHashMap<>();

    public static <T extends AutoCloseable> T closeLast(Class<?> testClass, T closeable) {
        REGISTERED.computeIfAbsent(testClass, c -> new ArrayList<>()).add(closeable);
        return closeable;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (AutoCloseable closeable : REGISTERED.getOrDefault(context.getRequiredTestClass(), List.of())) {
            closeable.close();
        }
        REGISTERED.remove(context.getRequiredTestClass());
    }
}
