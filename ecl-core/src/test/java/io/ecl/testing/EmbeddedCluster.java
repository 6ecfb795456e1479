package io.ecl.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.embedded.RedisServer;

/**
 * A real Redis Cluster for one test class: {@code masters} servers started with
 * {@code --cluster-enabled yes} on free ports, the 16384 slots split evenly between them in port
 * order, optionally {@code replicas} replicas per master; as an operator builds one with
 * CLUSTER MEET / ADDSLOTS / REPLICATE. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final EmbeddedCluster cluster = new EmbeddedCluster(3, 1);}</pre>
 *
 * It also does what operators do to a running cluster: a failover ({@link #failover}, or
 * {@link #kill} a master and {@link #awaitPromotion}) and a slot migration ({@link #beginSlotMove},
 * step by step, as {@code redis-cli --cluster reshard} does it). The cluster is not emptied
 * between tests: tests use their own groups (hash tags).
 */
public final class EmbeddedCluster implements BeforeAllCallback, AfterAllCallback {
    private static final int SLOTS = 16384;
    /** Short, so that a killed master is replaced within a few seconds. */
    private static final int NODE_TIMEOUT_MS = 1000;

    private final int masters;
    private final int replicas;
    private final Map<Integer, RedisServer> servers = new LinkedHashMap<>();
    private List<Integer> initialMasters = List.of();
    private Path dir;

    public EmbeddedCluster(int masters, int replicas) {
        this.masters = masters;
        this.replicas = replicas;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /** Starts the servers and joins them into one cluster; returns once every node serves every slot. */
    public void start() {
        try {
            dir = Files.createTempDirectory("ecl-cluster");
            List<Integer> masterPorts = new ArrayList<>();
            List<Integer> replicaPorts = new ArrayList<>();
            for (int i = 0; i < masters; i++) {
                masterPorts.add(startNode(EmbeddedRedis.freePort()));
            }
            for (int i = 0; i < masters * replicas; i++) {
                replicaPorts.add(startNode(EmbeddedRedis.freePort()));
            }
            initialMasters = List.copyOf(masterPorts);
            int first = masterPorts.get(0);
            try (Jedis j = node(first)) {
                for (int port : servers.keySet()) {
                    if (port != first) {
                        j.clusterMeet("127.0.0.1", port);
                    }
                }
            }
            for (int i = 0; i < masters; i++) {
                int from = i * SLOTS / masters;
                int to = (i + 1) * SLOTS / masters;
                try (Jedis j = node(masterPorts.get(i))) {
                    j.clusterAddSlots(java.util.stream.IntStream.range(from, to).toArray());
                }
            }
            for (int port : servers.keySet()) {
                await(() -> knownNodes(port) == servers.size(), () -> "node " + port + " does not know every node");
            }
            for (int i = 0; i < replicaPorts.size(); i++) {
                int master = masterPorts.get(i % masters);
                String id;
                try (Jedis m = node(master)) {
                    id = m.clusterMyId();
                }
                try (Jedis r = node(replicaPorts.get(i))) {
                    r.clusterReplicate(id);
                }
            }
            for (int port : replicaPorts) {
                await(() -> {
                    try (Jedis r = node(port)) {
                        return r.info("replication").contains("master_link_status:up");
                    }
                }, () -> "replica " + port + " did not sync with its master");
            }
            awaitStable();
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException("cannot start the Redis cluster", e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    private int startNode(int port) throws IOException {
        Path nodeDir = Files.createDirectory(dir.resolve(String.valueOf(port)));
        RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no")
                .setting("dir " + nodeDir)
                .setting("cluster-enabled yes")
                .setting("cluster-config-file nodes.conf")
                .setting("cluster-node-timeout " + NODE_TIMEOUT_MS)
                // A replica that lost its master a while ago may still take over (the tests' data is small).
                .setting("cluster-replica-validity-factor 0")
                .build();
        server.start();
        servers.put(port, server);
        return port;
    }

    /** Stops every server and removes their files. */
    public void stop() {
        for (RedisServer s : servers.values()) {
            try {
                if (s.isActive()) {
                    s.stop();
                }
            } catch (IOException | RuntimeException e) {
                // best effort: the others must stop too
            }
        }
        servers.clear();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind
            }
        }
    }

    /** The masters as started, in slot order: master i serves slots [i*16384/n, (i+1)*16384/n). */
    public List<Integer> initialMasters() {
        return initialMasters;
    }

    /** The ports of the nodes that run. */
    public List<Integer> livePorts() {
        return servers.entrySet().stream().filter(e -> e.getValue().isActive()).map(Map.Entry::getKey)
                .collect(Collectors.toList());
    }

    /**
     * The {@code ecl_redis:} section of a config (where ecl's own connection keys live) with two
     * live nodes as seeds, key mode hashtag; more keys of that section may be appended.
     */
    public String yamlRedisSection() {
        List<Integer> live = livePorts();
        return "ecl_redis:\n  cluster: true\n  key_mode: hashtag\n  nodes: ['127.0.0.1:" + live.get(0)
                + "', '127.0.0.1:" + live.get(1) + "']\n";
    }

    /** A plain connection to one node (no redirections followed), for set-up and assertions. */
    public static Jedis node(int port) {
        return new Jedis("127.0.0.1", port);
    }

    /** The slot of the keys of {@code group} in key mode hashtag. */
    public static int slotOfGroup(String group) {
        return JedisClusterCRC16.getSlot("{" + group + "}");
    }

    /**
     * A group name (g0, g1, ...) whose keys (key mode hashtag) a given master serves at start: {@code initialMasters().get(master)}; names in {@code taken} are skipped.
     */
    public String groupOnMaster(int master, java.util.Collection<String> taken) {
        int from = master * SLOTS / masters;
        int to = (master + 1) * SLOTS / masters;
        for (int i = 0; i < 100_000; i++) {
            String name = "g" + i;
            int slot = slotOfGroup(name);
            if (slot >= from && slot < to && !taken.contains(name)) {
                return name;
            }
        }
        throw new IllegalStateException("no group name for master " + master);
    }

    /** The port of the master that serves {@code slot}, as the given live node sees it. */
    public int masterOf(int slot) {
        try (Jedis j = node(livePorts().get(0))) {
            for (String line : j.clusterNodes().split("\n")) {
                String[] f = line.split(" ");
                if (!f[2].contains("master") || f[2].contains("fail")) {
                    continue;
                }
                for (int i = 8; i < f.length; i++) {
                    if (f[i].startsWith("[")) {
                        continue; // a migration in progress
                    }
                    String[] range = f[i].split("-");
                    int lo = Integer.parseInt(range[0]);
                    int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
                    if (slot >= lo && slot <= hi) {
                        return port(f[1]);
                    }
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** The replica of {@code masterPort} (the first, if several). */
    public int replicaOf(int masterPort) {
        try (Jedis m = node(masterPort)) {
            String id = m.clusterMyId();
            List<String> replicas = m.clusterReplicas(id);
            if (replicas.isEmpty()) {
                throw new IllegalStateException("master " + masterPort + " has no replica");
            }
            return port(replicas.get(0).split(" ")[1]);
        }
    }

    /**
     * A manual failover as an operator does it (CLUSTER FAILOVER on the replica): the master stops
     * taking writes until the replica has caught up, then the replica takes over. Returns the new
     * master's port once every live node serves the slots from it.
     */
    public int failover(int masterPort) {
        int replica = replicaOf(masterPort);
        try (Jedis r = node(replica)) {
            r.clusterFailover();
        }
        awaitPromotion(replica);
        return replica;
    }

    /**
     * The master's process ends (SIGTERM, as a crash or a reboot would for its clients; the
     * cluster's other nodes only see that it stopped answering).
     */
    public void kill(int port) {
        try {
            servers.get(port).stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code replicaPort} is a master and every live node agrees on the slots and state. */
    public void awaitPromotion(int replicaPort) {
        await(() -> {
            try (Jedis r = node(replicaPort)) {
                return r.info("replication").contains("role:master");
            }
        }, () -> "replica " + replicaPort + " was not promoted");
        awaitStable();
    }

    /** Every live node reports cluster_state:ok and the same owner for every slot range. */
    public void awaitStable() {
        await(() -> {
            String view = null;
            for (int port : livePorts()) {
                try (Jedis j = node(port)) {
                    if (!j.clusterInfo().contains("cluster_state:ok")) {
                        return false;
                    }
                    String mine = slotOwners(j.clusterNodes());
                    if (view != null && !view.equals(mine)) {
                        return false;
                    }
                    view = mine;
                } catch (RuntimeException e) {
                    return false;
                }
            }
            return true;
        }, () -> "the cluster did not settle: " + clusterNodes());
    }

    private String clusterNodes() {
        try (Jedis j = node(livePorts().get(0))) {
            return j.clusterNodes();
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    /** "port:ranges" of the masters that serve slots and are not failed, sorted: a node's view. */
    private static String slotOwners(String clusterNodes) {
        List<String> owners = new ArrayList<>();
        for (String line : clusterNodes.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
                StringBuilder s = new StringBuilder().append(port(f[1])).append(':');
                for (int i = 8; i < f.length; i++) {
                    if (!f[i].startsWith("[")) {
                        s.append(f[i]).append(',');
                    }
                }
                owners.add(s.toString());
            }
        }
        owners.sort(null);
        return String.join(" ", owners);
    }

    private int knownNodes(int port) {
        try (Jedis j = node(port)) {
            int n = 0;
            for (String line : j.clusterNodes().split("\n")) {
                if (!line.isBlank() && !line.contains("handshake") && !line.contains(":0@")) {
                    n++;
                }
            }
            return n;
        }
    }

    /** "127.0.0.1:7000@17000" -> 7000 */
    private static int port(String address) {
        String hostPort = address.split("@")[0];
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /**
     * Starts moving {@code slot} to the master {@code toPort}, as resharding does: the target
     * IMPORTING, the source MIGRATING. While it lasts, the source answers ASK for keys it no
     * longer holds; after {@link SlotMove#finish()}, the old owner answers MOVED.
     */
    public SlotMove beginSlotMove(int slot, int toPort) {
        int fromPort = masterOf(slot);
        if (fromPort == toPort) {
            throw new IllegalArgumentException("slot " + slot + " is on " + toPort + " already");
        }
        try (Jedis from = node(fromPort); Jedis to = node(toPort)) {
            to.clusterSetSlotImporting(slot, from.clusterMyId());
            from.clusterSetSlotMigrating(slot, to.clusterMyId());
        }
        return new SlotMove(slot, fromPort, toPort);
    }

    /** One slot on its way from one master to another. */
    public final class SlotMove {
        private final int slot;
        private final int fromPort;
        private final int toPort;

        private SlotMove(int slot, int fromPort, int toPort) {
            this.slot = slot;
            this.fromPort = fromPort;
            this.toPort = toPort;
        }

        /**
         * Moves every key of the slot that the source holds in one MIGRATE (atomic on the
         * source); returns how many.
         */
        public int moveKeys() {
            try (Jedis from = node(fromPort)) {
                List<String> keys = from.clusterGetKeysInSlot(slot, 100_000);
                if (!keys.isEmpty()) {
                    from.migrate("127.0.0.1", toPort, 0, 5000,
                            new redis.clients.jedis.params.MigrateParams(), keys.toArray(new String[0]));
                }
                return keys.size();
            }
        }

        /** Assigns the slot to the target on the target, the source and every other master. */
        public void finish() {
            String target;
            try (Jedis to = node(toPort)) {
                target = to.clusterMyId();
                to.clusterSetSlotNode(slot, target);
            }
            try (Jedis from = node(fromPort)) {
                from.clusterSetSlotNode(slot, target);
            }
            for (int port : livePorts()) {
                if (port != fromPort && port != toPort) {
                    try (Jedis other = node(port)) {
                        if (other.info("replication").contains("role:master")) {
                            other.clusterSetSlotNode(slot, target);
                        }
                    }
                }
            }
            awaitStable();
        }
    }

    private static void await(Supplier<Boolean> condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up after 60 s: " + failure.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
