package io.lbmanager.upgrade;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.errors.ConflictException;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.errors.NotFoundException;
import io.lbmanager.fleet.FleetBackend;
import io.lbmanager.fleet.GroupDeployment;
import io.lbmanager.fleet.TaskHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * What operators do with a group's Nginx fleet (the REST API and the {@code lbm} CLI call this):
 * status, upgrade, pause, resume, cancel, rollback, scale, block and unblock. Upgrades in progress
 * are advanced by a ticker, one {@link UpgradePolicy#tick} per group per period; every change is
 * stored before it is answered, so a restarted manager carries on where the last one stopped.
 */
public final class UpgradeOperations implements Managed, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeOperations.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    /** How long an operator's change waits for another manager's change of the same group (a tick probes for up to seconds). */
    private static final Duration CLAIM_WAIT = Duration.ofSeconds(15);

    private final UpgradePolicy policy;
    private final FleetBackend backend;
    private final TaskHealth health;
    private final UpgradeStore store;
    private final Predicate<String> groupExists;
    private final UpgradeSettings defaults;
    private final Duration tickEvery;
    private final LongSupplier clock;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private volatile java.util.function.BooleanSupplier ticksWhen = () -> true;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "fleet-upgrades");
        thread.setDaemon(true);
        return thread;
    });

    public UpgradeOperations(UpgradePolicy policy, TaskHealth health, UpgradeStore store, Predicate<String> groupExists,
                           UpgradeSettings defaults, Duration tickEvery, LongSupplier clock) {
        this.policy = policy;
        this.backend = policy.backend();
        this.health = health;
        this.store = store;
        this.groupExists = groupExists;
        this.defaults = defaults;
        this.tickEvery = tickEvery;
        this.clock = clock;
    }

    /**
     * Advances upgrades only while this holds (the leader among several managers); the others
     * answer the API from ZooKeeper and leave the steps to the leader.
     */
    public UpgradeOperations tickingOnlyWhen(java.util.function.BooleanSupplier condition) {
        this.ticksWhen = condition;
        return this;
    }

    @Override
    public void start() {
        ticker.scheduleWithFixedDelay(this::tickAllSafely, tickEvery.toMillis(), tickEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }

    public FleetStatus status(String group) {
        requireGroup(group);
        GroupDeployment deployment = backend.deployment(group);
        List<FleetStatus.TaskView> tasks = backend.tasks(group).stream()
                .map(task -> new FleetStatus.TaskView(task.taskId(), task.host(), task.trafficPort(), task.adminPort(),
                        task.image(), task.running(), task.running() && health.ready(task)))
                .toList();
        return new FleetStatus(group, backend.kind(), deployment.image(), deployment.instances(),
                store.block(group).orElse(null), tasks, store.current(group).map(UpgradeRecord::view).orElse(null));
    }

    /** Starts an upgrade with the default crash budget; settings left out come from the defaults. */
    public UpgradeView startUpgrade(String group, String image, Integer stepSize, Integer bakeSeconds, Double maxErrorRate,
                                    String by) {
        return startUpgrade(group, image, stepSize, bakeSeconds, maxErrorRate, null, by);
    }

    /**
     * Starts an upgrade; settings left out come from the defaults. An image the backend can tell is
     * unusable (not on the Docker engine) is refused before any task is touched.
     */
    public UpgradeView startUpgrade(String group, String image, Integer stepSize, Integer bakeSeconds, Double maxErrorRate,
                                    Integer crashBudget, String by) {
        requireGroup(group);
        UpgradeSettings settings = settings(stepSize, bakeSeconds, maxErrorRate, crashBudget);
        return locked(group, () -> {
            Optional<DeployBlock> block = store.block(group);
            if (block.isPresent()) {
                throw new ConflictException(null, "group " + group + " is blocked by " + block.get().by() + ": "
                        + block.get().reason());
            }
            requireNoUpgradeInProgress(group);
            if (image.equals(backend.deployment(group).image())) {
                throw new ConflictException("image", "group " + group + " already runs " + image);
            }
            Optional<String> imageProblem = backend.imageProblem(image);
            if (imageProblem.isPresent()) {
                LOG.warn("upgrade group={} state=REFUSED image={} reason={}", group, image, imageProblem.get());
                throw new InvalidInputException("image", imageProblem.get());
            }
            return begin(group, image, settings, by, false);
        });
    }

    public UpgradeView pause(String group, String by) {
        return change(group, upgrade -> policy.pause(upgrade, by));
    }

    public UpgradeView resume(String group, String by) {
        return change(group, upgrade -> policy.resume(upgrade, by));
    }

    public UpgradeView cancel(String group, String by) {
        return change(group, upgrade -> policy.cancel(upgrade, by));
    }

    /**
     * Rolls an upgrade in progress back; with none in progress, rolls the group back to the image
     * it ran before its last successful upgrade (a new upgrade, with the same steps and gates).
     */
    public UpgradeView rollback(String group, String by) {
        requireGroup(group);
        return locked(group, () -> {
            Optional<UpgradeRecord> current = store.current(group);
            if (current.isPresent() && current.get().state().inProgress()) {
                return saveAndView(policy.rollBack(current.get(), by));
            }
            UpgradeRecord last = store.history(group).stream()
                    .filter(upgrade -> upgrade.state() == UpgradeState.SUCCEEDED)
                    .findFirst()
                    .orElseThrow(() -> new ConflictException(null, "group " + group + " has no successful upgrade to roll back"));
            String previous = last.fromImage();
            if (previous.equals(backend.deployment(group).image())) {
                throw new ConflictException(null, "group " + group + " already runs " + previous);
            }
            return begin(group, previous, new UpgradeSettings(last.stepSize(), last.bakeSeconds(), last.maxErrorRate(),
                    last.allowedFailures()), by, true);
        });
    }

    public FleetStatus scale(String group, int instances, String by) {
        requireGroup(group);
        if (instances < 1 || instances > 1000) {
            throw new InvalidInputException("instances", "must be between 1 and 1000, was " + instances);
        }
        locked(group, () -> {
            requireNoUpgradeInProgress(group);
            if (backend.deployment(group).instances() != instances) {
                backend.scale(group, instances);
            }
            LOG.info("fleet group={} instances={} state=SCALED by={}", group, instances, by);
            return null;
        });
        return status(group);
    }

    public DeployBlock block(String group, String reason, String by) {
        requireGroup(group);
        if (reason == null || reason.isBlank() || reason.length() > 500 || reason.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("reason", "must be 1 to 500 characters, without control characters");
        }
        DeployBlock block = new DeployBlock(reason.strip(), by, clock.getAsLong());
        store.setBlock(group, block);
        LOG.info("fleet group={} state=BLOCKED by={} reason={}", group, by, block.reason());
        return block;
    }

    public void unblock(String group, String by) {
        requireGroup(group);
        if (!store.clearBlock(group)) {
            throw new NotFoundException(null, "group " + group + " is not blocked");
        }
        LOG.info("fleet group={} state=UNBLOCKED by={}", group, by);
    }

    public List<UpgradeView> history(String group) {
        requireGroup(group);
        return store.history(group).stream().map(UpgradeRecord::view).toList();
    }

    /** One tick for every group with an upgrade in progress (on the leader only); public for tests. */
    public void tickAll() {
        if (!ticksWhen.getAsBoolean()) {
            return;
        }
        for (String group : store.groups()) {
            try {
                locked(group, Duration.ZERO, () -> {
                    store.current(group).filter(upgrade -> upgrade.state().inProgress())
                            .ifPresent(upgrade -> persist(upgrade, policy.tick(upgrade)));
                    return null;
                });
            } catch (ConflictException anotherManagerChangesIt) {
                // the next tick reads what it wrote
            } catch (RuntimeException e) {
                LOG.warn("upgrade group={} tick failed: {}", group, e.toString());
            }
        }
    }

    private UpgradeView begin(String group, String image, UpgradeSettings settings, String by, boolean rollback) {
        String id = "u" + ID_TIME.format(java.time.Instant.ofEpochMilli(clock.getAsLong())) + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        try {
            return saveAndView(policy.begin(id, group, image, settings, by, rollback));
        } catch (IllegalStateException e) {
            throw new ConflictException(null, e.getMessage());
        }
    }

    private UpgradeView change(String group, Function<UpgradeRecord, UpgradeRecord> action) {
        requireGroup(group);
        return locked(group, () -> {
            UpgradeRecord current = store.current(group).filter(upgrade -> upgrade.state().inProgress())
                    .orElseThrow(() -> new ConflictException(null, "group " + group + " has no upgrade in progress"));
            try {
                return saveAndView(action.apply(current));
            } catch (IllegalStateException e) {
                throw new ConflictException(null, e.getMessage());
            }
        });
    }

    private UpgradeView saveAndView(UpgradeRecord upgrade) {
        persist(null, upgrade);
        return upgrade.view();
    }

    private void persist(UpgradeRecord before, UpgradeRecord after) {
        if (after.equals(before)) {
            return;
        }
        if (after.state().inProgress()) {
            store.save(after);
        } else {
            store.saveFinished(after);
        }
    }

    private void requireNoUpgradeInProgress(String group) {
        store.current(group).filter(upgrade -> upgrade.state().inProgress()).ifPresent(upgrade -> {
            throw new ConflictException(null, "group " + group + " has upgrade " + upgrade.id() + " in progress ("
                    + upgrade.state() + ", step " + upgrade.step() + "/" + upgrade.totalSteps() + ")");
        });
    }

    private UpgradeSettings settings(Integer stepSize, Integer bakeSeconds, Double maxErrorRate, Integer crashBudget) {
        int step = stepSize == null ? defaults.stepSize() : stepSize;
        int bake = bakeSeconds == null ? defaults.bakeSeconds() : bakeSeconds;
        double rate = maxErrorRate == null ? defaults.maxErrorRate() : maxErrorRate;
        if (step < 1 || step > 1000) {
            throw new InvalidInputException("stepSize", "must be between 1 and 1000, was " + step);
        }
        if (bake < 0 || bake > 86_400) {
            throw new InvalidInputException("bakeSeconds", "must be between 0 and 86400, was " + bake);
        }
        if (!(rate >= 0 && rate <= 1)) {
            throw new InvalidInputException("maxErrorRate", "must be between 0 and 1, was " + rate);
        }
        int budget = crashBudget == null ? defaults.crashBudget() : crashBudget;
        if (budget < 0 || budget > UpgradeSettings.MAX_CRASH_BUDGET) {
            throw new InvalidInputException("crashBudget", "must be between 0 and " + UpgradeSettings.MAX_CRASH_BUDGET
                    + ", was " + budget);
        }
        return new UpgradeSettings(step, bake, rate, budget);
    }

    private void requireGroup(String group) {
        if (!groupExists.test(group)) {
            throw new NotFoundException("group", "group " + group + " does not exist");
        }
    }

    private <T> T locked(String group, java.util.function.Supplier<T> action) {
        return locked(group, CLAIM_WAIT, action);
    }

    private <T> T locked(String group, Duration claimWait, java.util.function.Supplier<T> action) {
        synchronized (locks.computeIfAbsent(group, g -> new Object())) {
            return store.exclusively(group, claimWait, action);
        }
    }

    private void tickAllSafely() {
        try {
            tickAll();
        } catch (RuntimeException e) {
            LOG.warn("fleet upgrades tick failed: {}", e.toString());
        }
    }
}
