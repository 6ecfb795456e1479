/**
 * ecl's library: counts named events per time interval in Redis.
 *
 * <p>{@code io.ecl.core} is the API an application uses: {@link io.ecl.core.EventCountLogger},
 * {@link io.ecl.core.EventGroup}, the configs, the value types and the exceptions.
 * {@code io.ecl.core.ops} is the small API of the operator's tools (rotation, reading). Everything
 * else is internal and may change in any release.
 */
module io.ecl.core {
    requires org.slf4j;
    requires org.yaml.snakeyaml;
    requires redis.clients.jedis;

    exports io.ecl.core;
    exports io.ecl.core.ops;
}
