package io.lbmanager.hibernation;

import io.lbmanager.contract.HibernatedService;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The hibernated and waking services in ZooKeeper ({@code {root}/hibernation/{serviceId}}); no node: awake. */
public final class HibernationNodes {

    private final CuratorFramework client;
    private final ZkLayout layout;

    public HibernationNodes(CuratorFramework client, ZkLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    /** Every hibernated or waking service by id; nodes that cannot be read are left out. */
    public Map<String, HibernatedService> all() throws Exception {
        Map<String, HibernatedService> services = new TreeMap<>();
        try {
            for (String id : client.getChildren().forPath(layout.hibernation())) {
                get(id).ifPresent(service -> services.put(id, service));
            }
        } catch (KeeperException.NoNodeException none) {
            // nothing ever hibernated
        }
        return services;
    }

    public Optional<HibernatedService> get(String serviceId) throws Exception {
        String path = layout.hibernatedService(serviceId);
        try {
            HibernatedService service = Json.read(path, client.getData().forPath(path), HibernatedService.class);
            return serviceId.equals(service.service()) ? Optional.of(service) : Optional.empty();
        } catch (KeeperException.NoNodeException awake) {
            return Optional.empty();
        } catch (CorruptNodeException unreadable) {
            return Optional.empty();
        }
    }

    public void put(HibernatedService service) throws Exception {
        String path = layout.hibernatedService(service.service());
        byte[] data = Json.write(service);
        try {
            client.setData().forPath(path, data);
        } catch (KeeperException.NoNodeException absent) {
            client.create().creatingParentsIfNeeded().forPath(path, data);
        }
    }

    public void delete(String serviceId) throws Exception {
        try {
            client.delete().forPath(layout.hibernatedService(serviceId));
        } catch (KeeperException.NoNodeException gone) {
            // awake already
        }
    }
}
