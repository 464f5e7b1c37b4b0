// Jena (Debian libapache-jena-java): load an N-Triples file into an
// in-memory dataset, then run each query once cold and N times warm, with
// a 30 s timeout; the warm runs stop after 60 s. Prints the same
// "key=value" lines as kgbench.
//   java -cp CLASSPATH JenaBench FILE REPEAT QUERY.rq...
// (bench/run.sh builds CLASSPATH from the Debian packages)
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSet;
import org.apache.jena.riot.RDFDataMgr;

public class JenaBench {
  static long run(Dataset ds, Query q) {
    try (QueryExecution qe = QueryExecutionFactory.create(q, ds)) {
      qe.setTimeout(30, TimeUnit.SECONDS);
      if (q.isAskType()) {
        qe.execAsk();
        return 1;
      }
      ResultSet rs = qe.execSelect();
      long n = 0;
      while (rs.hasNext()) {
        rs.next();
        n++;
      }
      return n;
    }
  }

  public static void main(String[] args) throws Exception {
    String file = args[0];
    int repeat = Integer.parseInt(args[1]);
    Dataset ds = DatasetFactory.createTxnMem();
    long t0 = System.nanoTime();
    RDFDataMgr.read(ds, file);
    double secs = (System.nanoTime() - t0) / 1e9;
    long n = ds.getDefaultModel().size();
    Runtime rt = Runtime.getRuntime();
    System.out.printf("load triples=%d seconds=%.4f rate=%.0f rss_kb=%d%n", n,
        secs, n / secs, (rt.totalMemory() - rt.freeMemory()) / 1024);
    for (int i = 2; i < args.length; i++) {
      String name = Paths.get(args[i]).getFileName().toString();
      Query q = QueryFactory.create(new String(Files.readAllBytes(Paths.get(args[i]))));
      long rows;
      t0 = System.nanoTime();
      try {
        rows = run(ds, q);
      } catch (Exception e) {
        System.out.printf("query name=%s status=%s cold_ms=%.3f%n", name,
            e.getClass().getSimpleName().contains("Cancel") ? "timeout" : "error",
            (System.nanoTime() - t0) / 1e6);
        continue;
      }
      double cold = (System.nanoTime() - t0) / 1e6;
      // warm runs: REPEAT of them, or as many as 60 s allow (one at least)
      double[] times = new double[repeat];
      int made = 0;
      double spent = 0;
      while (made < repeat && (made == 0 || spent < 60000)) {
        t0 = System.nanoTime();
        run(ds, q);
        times[made] = (System.nanoTime() - t0) / 1e6;
        spent += times[made++];
      }
      Arrays.sort(times, 0, made);
      System.out.printf("query name=%s status=ok rows=%d cold_ms=%.3f median_ms=%.3f%n",
          name, rows, cold, made > 0 ? times[made / 2] : cold);
      System.out.flush();
    }
  }
}
