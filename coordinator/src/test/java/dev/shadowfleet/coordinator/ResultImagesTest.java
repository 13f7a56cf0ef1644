package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** PNGs sent with a result travel through Kafka and the database to the API, byte for byte, with cache headers. */
@QuarkusTest
@WithTestResource(RealServices.class)
class ResultImagesTest {
  @Inject AgroalDataSource db;

  @Test
  void aResultsPngsAreServedAsSentWithValidators() throws Exception {
    String rs = Api.model(false);
    Map<String, Object> body = Api.sweep(1, rs);
    body.put("targets", List.of(3, 4));
    String sweep = Api.submit(body);
    List<AttackJob> jobs = FakeWorker.jobsOf(sweep, 2);
    Random rnd = new Random(1);
    byte[] natural = png(28, 1);
    byte[] perturbation = png(28, 2);
    byte[] adversarial = png(28, 3);
    JobResult withPngs = done(jobs.get(0), rnd).withImages(new JobResult.ResultImages(
        b64(natural), b64(perturbation), b64(adversarial)));
    try (FakeWorker worker = new FakeWorker()) {
      worker.publish(withPngs);
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> Api.count(db,
        "SELECT count(*) FROM job_results WHERE sweep_id = '" + sweep + "'") == 1);

    String base = "/api/sweeps/" + sweep + "/images/" + rs + "/0/";
    String etag = "\"" + withPngs.jobId() + "\"";
    assertArrayEquals(adversarial, given().get(base + "adversarial.png").then().statusCode(200)
        .header("Content-Type", "image/png").header("ETag", etag).header("Cache-Control", "no-cache")
        .extract().asByteArray());
    assertArrayEquals(natural, given().get(base + "natural.png?target=" + withPngs.target()).then().statusCode(200)
        .header("Cache-Control", "public, max-age=31536000, immutable").extract().asByteArray());
    assertArrayEquals(perturbation, given().get(base + "perturbation.png").then().statusCode(200).extract().asByteArray());
    given().header("If-None-Match", etag).get(base + "adversarial.png").then().statusCode(304).header("ETag", etag);
    given().get("/api/sweeps/" + sweep + "/outcomes").then().statusCode(200).body("items[0].hasImages", equalTo(true));
    given().get(base + "adversarial.png?target=" + jobs.get(1).target()).then().statusCode(404)
        .body("field", equalTo("kind"));
  }

  private static JobResult done(AttackJob j, Random rnd) {
    JobResult r;
    do {
      r = Results.random(j, rnd, false);
    } while (r.status() != JobStatus.DONE);
    return r.withImages(null);
  }

  private static byte[] png(int size, int seed) throws Exception {
    Random rnd = new Random(seed);
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        img.getRaster().setSample(x, y, 0, rnd.nextInt(256));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
