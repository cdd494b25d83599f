package io.lbmanager.validate;

import io.lbmanager.contract.ConfigBundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Checks of changed services of one group that one {@code nginx -t} answers together: they have
 * the same group-wide files (nginx.conf) and agree on every file they share, so the union of their
 * sandboxes is what each would see plus the other members' changed services. A check of every
 * file (proposed templates, a changed nginx.conf) is never batched.
 *
 * <p>What a batch that Nginx accepts could hide: a member's file that needs a name only another
 * member's file defines. The templates make a service's files refer only to that service's own
 * names (its upstream, its paths), and proposed templates are checked in full and alone. A batch
 * Nginx refuses tells nothing about its members (Nginx stops at the first error, which may come
 * from two members together), so each is then checked on its own. Not thread-safe: NginxTestQueue
 * changes batches under its lock.
 */
final class SandboxBatch {

    static final int MAX_MEMBERS = 32;

    /** One caller's check and the verdict it waits for. */
    record Member(ValidationScope scope, CompletableFuture<ValidationResult> verdict) {
        Member(ValidationScope scope) {
            this(scope, new CompletableFuture<>());
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final TreeMap<String, String> files = new TreeMap<>();
    private boolean started;

    static SandboxBatch startedWith(Member member) {
        SandboxBatch batch = new SandboxBatch();
        batch.add(member);
        batch.start();
        return batch;
    }

    boolean accepts(Member candidate) {
        if (members.isEmpty()) {
            return true;
        }
        ValidationScope first = members.get(0).scope();
        ValidationScope scope = candidate.scope();
        if (started || members.size() >= MAX_MEMBERS || first.complete() || scope.complete()
                || !first.sandbox().group().equals(scope.sandbox().group())) {
            return false;
        }
        if (!groupWideFiles(first.files()).equals(groupWideFiles(scope.files()))) {
            return false;
        }
        for (Map.Entry<String, String> file : scope.files().entrySet()) {
            String ours = files.get(file.getKey());
            if (ours != null && !ours.equals(file.getValue())) {
                return false;
            }
        }
        return true;
    }

    void add(Member member) {
        members.add(member);
        files.putAll(member.scope().files());
    }

    void remove(Member member) {
        members.remove(member);
        files.clear();
        members.forEach(m -> files.putAll(m.scope().files()));
    }

    void start() {
        started = true;
    }

    boolean started() {
        return started;
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    int size() {
        return members.size();
    }

    List<Member> members() {
        return List.copyOf(members);
    }

    /** What nginx -t sees: the one member's sandbox, or the union of all of them. */
    ConfigBundle sandbox() {
        return members.size() == 1 ? members.get(0).scope().sandbox()
                : ConfigBundle.of(members.get(0).scope().sandbox().group(), files);
    }

    private static Map<String, String> groupWideFiles(Map<String, String> files) {
        TreeMap<String, String> groupWide = new TreeMap<>();
        files.forEach((name, content) -> {
            if (NginxErrors.serviceOf(name) == null) {
                groupWide.put(name, content);
            }
        });
        return groupWide;
    }
}
