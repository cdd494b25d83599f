package io.lbmanager.peers;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.render.InvalidOptionException;
import io.lbmanager.render.OptionDefaults;
import io.lbmanager.render.RenderOptions;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogSnapshot;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** The peer lists of a group's services that the Lua balancer serves, by service id; the same rule the renderer applies. */
final class GroupPeerLists {

    private GroupPeerLists() {
    }

    static SortedMap<String, PeerList> of(CatalogSnapshot snapshot, String group, UpstreamMode mode) {
        TreeMap<String, PeerList> lists = new TreeMap<>();
        if (!mode.dynamic()) {
            return lists;
        }
        for (ServiceRecord service : snapshot.servicesIn(group)) {
            RenderOptions options;
            try {
                options = OptionDefaults.resolve(service.definition().options());
            } catch (InvalidOptionException e) {
                continue; // quarantined by the pipeline, which says why
            }
            List<Upstream> upstreams = snapshot.upstreamsOf(service);
            if (mode.balancesDynamically(options, upstreams)) {
                lists.put(service.id(), new PeerList(service.id(), upstreams));
            }
        }
        return lists;
    }
}
