package io.lbmanager.testsupport;

import io.lbmanager.contract.BundleCodec;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;

/** Publishes bundles the way the manager does: the version node first, then the target. */
public final class BundlePublisher {

    private final CuratorFramework client;
    private final ZkLayout layout;

    public BundlePublisher(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    public PublishedVersion publish(long version, ConfigBundle bundle) throws Exception {
        client.create().orSetData().creatingParentContainersIfNeeded()
                .forPath(layout.groupVersion(bundle.group(), version), BundleCodec.encode(bundle));
        PublishedVersion target = new PublishedVersion(bundle.group(), version, bundle.sha256(),
                System.currentTimeMillis(), "test");
        client.create().orSetData().creatingParentContainersIfNeeded()
                .forPath(layout.groupTarget(bundle.group()), Json.write(target));
        return target;
    }
}
