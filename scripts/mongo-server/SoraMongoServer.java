import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.mvstore.MVStore;

/**
 * Tiny launcher for the bundled MongoDB-wire fallback (de.bwaldvogel:mongo-java-server with its
 * H2 MVStore backend). Binds 127.0.0.1 only and keeps data in one file.
 *
 * <p>Durability (default "sync"): a write command is answered only after the MVStore has written
 * it and fsynced the file, so an acknowledged write survives kill -9 and power loss. Writes that
 * arrive while an fsync runs share the next one (group commit). "lazy" is the library's own
 * behaviour (a background thread commits about once a second, no fsync): acknowledged writes of
 * the last second are lost on kill -9; kept only for the benchmark.
 *
 * <p>serverStatus reports `opcounters` like mongod's (insert/update/delete count documents or
 * statements, query = find commands, getmore, command = every other command), so the load bench
 * (bench/load) can state MongoDB operations per message on this server and on a real one alike.
 *
 * <p>Usage: java -cp 'lib/*:classes' SoraMongoServer PORT DATA_FILE ("-" = in memory) [sync|lazy]
 */
public class SoraMongoServer {
  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: SoraMongoServer PORT DATA_FILE|- [sync|lazy]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    String file = args[1];
    String mode = args.length == 3 ? args[2] : "sync";
    if (!mode.equals("sync") && !mode.equals("lazy")) {
      System.err.println("durability must be sync or lazy, got " + mode);
      System.exit(2);
    }
    H2Backend backend;
    if ("-".equals(file)) {
      backend = new CountingH2Backend(MVStore.open(null));
      mode = "memory";
    } else {
      Path parent = Path.of(file).toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      backend = mode.equals("sync") ? DurableH2Backend.open(file) : new CountingH2Backend(MVStore.open(file));
    }
    // The MongoDB Node.js driver 7 (mongoose 9) refuses servers below wire version 9 (MongoDB 4.4);
    // mongo-java-server's newest preset says 8. It speaks the OP_MSG commands the driver uses, so
    // announce 5.0 / wire version 13. sora-cs avoids what the server lacks (transactions, TTL and
    // text indexes, change streams).
    backend.version(
        new MongoVersion() {
          @Override
          public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
          }

          @Override
          public int getWireVersion() {
            return 13;
          }
        });
    MongoServer server = new MongoServer(backend);
    // A write blocks its Netty thread until its group's fsync is done: more threads than the
    // default (2 per core) let more concurrent writes share one fsync.
    server.bind(new InetSocketAddress("127.0.0.1", port), 1, 32);
    H2Backend b = backend;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdownNow();
                  b.close();
                }));
    System.out.println("sora-mongo listening on 127.0.0.1:" + port + " data=" + file + " durability=" + mode);
    System.out.flush();
    Thread.currentThread().join();
  }

  /** H2Backend that counts the operations it serves, reported as serverStatus.opcounters. */
  static class CountingH2Backend extends H2Backend {
    private final AtomicLong insert = new AtomicLong();
    private final AtomicLong query = new AtomicLong();
    private final AtomicLong update = new AtomicLong();
    private final AtomicLong delete = new AtomicLong();
    private final AtomicLong getmore = new AtomicLong();
    private final AtomicLong command = new AtomicLong();

    CountingH2Backend(MVStore store) {
      super(store);
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
      count(command, query);
      return super.handleCommand(channel, database, command, query);
    }

    private void count(String name, Document q) {
      switch (name.toLowerCase(Locale.ROOT)) {
        case "insert" -> insert.addAndGet(sizeOf(q.get("documents")));
        case "update" -> update.addAndGet(sizeOf(q.get("updates")));
        case "delete" -> delete.addAndGet(sizeOf(q.get("deletes")));
        case "find" -> query.incrementAndGet();
        case "getmore" -> getmore.incrementAndGet();
        default -> command.incrementAndGet();
      }
    }

    private static long sizeOf(Object list) {
      return list instanceof List<?> l ? l.size() : 1;
    }

    @Override
    public Document getServerStatus() {
      Document status = super.getServerStatus();
      Document counters = new Document();
      counters.put("insert", insert.get());
      counters.put("query", query.get());
      counters.put("update", update.get());
      counters.put("delete", delete.get());
      counters.put("getmore", getmore.get());
      counters.put("command", command.get());
      status.put("opcounters", counters);
      return status;
    }
  }

  /** H2Backend whose write commands return only once their changes are committed and fsynced. */
  static final class DurableH2Backend extends CountingH2Backend {
    /** Commands that never change data (lower case); every other command is treated as a write. */
    private static final Set<String> READS =
        Set.of(
            "find", "getmore", "count", "distinct", "listcollections", "listindexes",
            "listdatabases", "ismaster", "hello", "buildinfo", "ping", "whatsmyuri",
            "serverstatus", "getlasterror", "getlog", "hostinfo", "getcmdlineopts",
            "connectionstatus", "killcursors", "endsessions", "dbstats", "collstats",
            "getparameter", "explain", "getfreemonitoringstatus", "replsetgetstatus",
            "saslstart", "saslcontinue", "logout");

    private final MVStore store;
    private final Object syncLock = new Object();
    /** Tickets handed to finished write commands; a ticket is durable once `durable` reaches it. */
    private final AtomicLong tickets = new AtomicLong();
    private long durable; // guarded by syncLock
    private final ScheduledExecutorService maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sora-mongo-maintenance");
              t.setDaemon(true);
              return t;
            });

    static DurableH2Backend open(String file) {
      // No background writer: only this class commits, and each commit is followed by an fsync.
      return new DurableH2Backend(new MVStore.Builder().fileName(file).autoCommitDisabled().open());
    }

    private DurableH2Backend(MVStore store) {
      super(store);
      this.store = store;
      // Every write commits a chunk of its own. H2 keeps replaced chunks 45 s by default (a guard
      // for file systems that reorder unsynced writes; every commit here is fsynced), which at
      // hundreds of commits a second grows the file by hundreds of MB: keep them 5 s, still far
      // longer than a read takes.
      store.setRetentionTime(5_000);
      // Without the background writer nothing rewrites sparse chunks: do it every 5 s, durably.
      maintenance.scheduleWithFixedDelay(this::compact, 5, 5, TimeUnit.SECONDS);
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
      if (!isWrite(command, query)) return super.handleCommand(channel, database, command, query);
      try {
        return super.handleCommand(channel, database, command, query);
      } finally {
        // Also after a failed command: an ordered insertMany may have stored part of its batch.
        makeDurable();
      }
    }

    private static boolean isWrite(String command, Document query) {
      String c = command.toLowerCase(Locale.ROOT);
      if (c.equals("aggregate")) {
        Object pipeline = query.get("pipeline");
        if (!(pipeline instanceof List)) return false;
        for (Object stage : (List<?>) pipeline)
          if (stage instanceof Document d && (d.containsKey("$out") || d.containsKey("$merge"))) return true;
        return false;
      }
      return !READS.contains(c);
    }

    /**
     * Group commit: take a ticket after the change is in the MVStore's maps; whoever holds the lock
     * commits and fsyncs everything written so far, which covers every ticket issued before it.
     */
    private void makeDurable() {
      long ticket = tickets.incrementAndGet();
      synchronized (syncLock) {
        if (durable >= ticket) return;
        long upTo = tickets.get();
        store.commit();
        store.sync();
        durable = upTo;
      }
    }

    private void compact() {
      try {
        synchronized (syncLock) {
          if (store.isClosed()) return;
          if (store.compact(50, 4 << 20) && store.hasUnsavedChanges()) {
            store.commit();
            store.sync();
          }
        }
      } catch (RuntimeException e) {
        System.err.println("sora-mongo: compaction failed: " + e);
      }
    }

    @Override
    public void close() {
      maintenance.shutdownNow();
      synchronized (syncLock) {
        super.close();
      }
    }
  }
}
