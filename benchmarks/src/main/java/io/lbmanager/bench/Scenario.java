package io.lbmanager.bench;

/** One scenario of {@link EndToEndBench}: runs at one catalog size and adds its rows. */
interface Scenario {

    /** @param n the size as the rows name it, e.g. "1,000 services" */
    void run(int size, String n) throws Exception;
}
