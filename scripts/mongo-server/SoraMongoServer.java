import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny launcher for the bundled MongoDB-wire fallback (de.bwaldvogel:mongo-java-server with its
 * H2 MVStore backend). Binds 127.0.0.1 only and keeps data in one file.
 *
 * <p>Usage: java -cp 'lib/*' SoraMongoServer.java PORT DATA_FILE ("-" = in memory)
 */
public class SoraMongoServer {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: SoraMongoServer PORT DATA_FILE|-");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    String file = args[1];
    H2Backend backend;
    if ("-".equals(file)) {
      backend = H2Backend.inMemory();
    } else {
      Path parent = Path.of(file).toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      backend = new H2Backend(file);
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
    server.bind("127.0.0.1", port);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdownNow();
                  backend.close();
                }));
    System.out.println("sora-mongo listening on 127.0.0.1:" + port + " data=" + file);
    System.out.flush();
    Thread.currentThread().join();
  }
}
