package io.lbmanager.zk;

import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.data.ACL;

import java.util.List;

/** The ACL of the only node an agent creates, its status node: its own, readable by anyone. */
public final class AgentAcls implements ACLProvider {

    private final List<ACL> acl;

    public AgentAcls(ZkCredentials agent) {
        this.acl = ManagerAcls.agentStatusAcl(agent.id(), null);
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return acl;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return acl;
    }
}
