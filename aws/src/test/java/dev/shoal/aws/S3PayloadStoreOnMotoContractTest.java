package dev.shoal.aws;

import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreProvider;
import dev.shoal.testing.PayloadStoreContract;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The S3 store, found by its scheme, against moto's S3, below a root prefix in a fresh bucket. */
@ExtendWith(Moto.class)
class S3PayloadStoreOnMotoContractTest extends PayloadStoreContract {
  private static final String BUCKET = "shoal-payloads-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String ROOT_PREFIX = "shoal-payloads";

  private static S3Client admin() {
    return AwsClients.configure(S3Client.builder().forcePathStyle(true), Moto.settings()).build();
  }

  @BeforeAll
  static void createBucket() {
    try (S3Client s3 = admin()) {
      s3.createBucket(r -> r.bucket(BUCKET));
    }
  }

  @AfterAll
  static void deleteBucket() {
    try (S3Client s3 = admin()) {
      for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(BUCKET)).contents()) {
        s3.deleteObject(r -> r.bucket(BUCKET).key(object.key()));
      }
      s3.deleteBucket(r -> r.bucket(BUCKET));
    }
  }

  @Override
  protected PayloadStore newStore() {
    return PayloadStoreProvider.forScheme("s3").create(root(), Moto.settings());
  }

  @Override
  protected URI root() {
    return URI.create("s3://" + BUCKET + "/" + ROOT_PREFIX);
  }

  @Override
  protected List<URI> referencesOutsideRoot() {
    return List.of(
        URI.create("s3://other-bucket/" + ROOT_PREFIX + "/run/x"),
        URI.create("s3://" + BUCKET + "/" + ROOT_PREFIX + "-sibling/run/x"),
        URI.create("s3://" + BUCKET + "/elsewhere/x"),
        URI.create("s3://" + BUCKET + "/" + ROOT_PREFIX + "/run/../../elsewhere/x"),
        URI.create("s3://" + BUCKET + "/" + ROOT_PREFIX + "/"),
        URI.create("s3://" + BUCKET + "/" + ROOT_PREFIX + "/run/x?versionId=1"));
  }
}
