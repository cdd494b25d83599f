package io.lbmanager.bench;

/**
 * A scenario of {@link EndToEndBench} on the {@link Rig} one size's rig scenarios share: ZooKeeper,
 * the manager and two agents, with the catalog populated ({@link Rig#populate}).
 */
interface RigScenario {

    /** @param n the size as the rows name it, e.g. "1,000 services" */
    void run(Rig rig, String n) throws Exception;
}
