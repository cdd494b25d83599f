package io.lbmanager.testsupport;

import io.lbmanager.contract.BundleCodec;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.contract.VersionNodes;
import io.lbmanager.signing.VersionSigner;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;

/** Publishes bundles the way the manager does: the version node first (in chunks past 512 KB), then the target. */
public final class BundlePublisher {

    private final CuratorFramework client;
    private final ZkLayout layout;

    public BundlePublisher(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    public PublishedVersion publish(long version, ConfigBundle bundle) throws Exception {
        return publish(version, bundle, null);
    }

    /** Publishes with the signer's signature of the version node, as a manager with {@code signing.privateKeyFile} does. */
    public PublishedVersion publishSigned(long version, ConfigBundle bundle, VersionSigner signer) throws Exception {
        return publish(version, bundle, signer);
    }

    private PublishedVersion publish(long version, ConfigBundle bundle, VersionSigner signerOrNull) throws Exception {
        byte[] node = BundleCodec.encode(bundle);
        String path = layout.groupVersion(bundle.group(), version);
        if (node.length <= VersionNodes.CHUNK_BYTES) {
            client.create().orSetData().creatingParentContainersIfNeeded().forPath(path, node);
        } else {
            if (client.checkExists().forPath(layout.groupVersions(bundle.group())) == null) {
                client.create().creatingParentContainersIfNeeded().forPath(layout.groupVersions(bundle.group()));
            }
            if (client.checkExists().forPath(path) != null) {
                client.delete().deletingChildrenIfNeeded().forPath(path);
            }
            client.transaction().forOperations(new VersionNodes(client).stage(path, node));
        }
        if (signerOrNull != null) {
            client.create().orSetData().creatingParentContainersIfNeeded().forPath(layout.groupSignature(bundle.group(), version),
                    Json.write(signerOrNull.sign(bundle.group(), version, node)));
        }
        PublishedVersion target = new PublishedVersion(bundle.group(), version, bundle.sha256(),
                System.currentTimeMillis(), "test");
        client.create().orSetData().creatingParentContainersIfNeeded()
                .forPath(layout.groupTarget(bundle.group()), Json.write(target));
        return target;
    }
}
