package dev.shoal.azure.servicebus;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.exception.ResourceExistsException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusFailureReason;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderAsyncClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationAsyncClient;
import com.azure.messaging.servicebus.administration.models.CreateQueueOptions;
import com.azure.messaging.servicebus.models.CreateMessageBatchOptions;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.azure.messaging.servicebus.models.SubQueue;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.TransportLimits;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Transport} over Azure Service Bus queues with the Java SDK: a namespace's AMQP connection
 * shared by one sender per queue and one peek-lock receiver per queue, and the administration
 * client for queues themselves. Addresses are {@code sb://<namespace>/<queue>}; a queue's
 * dead-letter queue, {@code sb://<namespace>/<queue>/$deadletterqueue}, is also found by the name
 * {@code <queue>-dlq} that {@link QueueOptions#deadLetterName} gives.
 *
 * <ul>
 *   <li><b>Send</b> packs bodies into {@link ServiceBusMessageBatch}es of up to the namespace's
 *       message size (256 KiB on Standard, a setting on Premium), as many batches as it takes, all
 *       in flight at once. A body may use that size less what the SDK keeps for batch framing (1 KiB per
 *       64 KiB) and {@value #ENVELOPE_RESERVE} bytes for its envelope: 257,024 bytes on Standard.
 *   <li><b>Receive</b> is peek-lock through a synchronous receiver on a thread of the transport:
 *       it waits up to {@code wait} for a first message, then up to 100 ms for more, to
 *       {@code max} in all (the SDK's own batch receive would linger a second after the last
 *       message of a partial batch). A zero wait still waits up to {@value #SHORT_POLL_MILLIS} ms,
 *       since AMQP has no "what is there now". Without prefetch (the default) a message that
 *       arrives after the caller stopped waiting is released unopened, which Service Bus does not
 *       count as a delivery; with prefetch, messages wait in the receiver's buffer under a lock
 *       that is already running, so prefetch only suits consumers that poll all the time.
 *   <li><b>Ack</b> completes; {@link #deadLetter} dead-letters with a reason (Service Bus's
 *       {@code DeadLetterReason}: the reason's text before its first colon) and description (the
 *       whole reason). Service Bus cannot change the body of a message it dead-letters: a caller
 *       who dead-letters part of a bundle (a copy of the message holding only the rejected
 *       envelopes) gets the whole original in the dead-letter queue, its description naming the
 *       rejected envelopes.
 *   <li><b>Leases are locks.</b> A queue's lock duration is its visibility timeout, within Service
 *       Bus's 5 seconds to 5 minutes. {@link #extendLease} renews the lock, which lasts one lock
 *       duration from the renewal; when a longer lease is asked for (up to
 *       {@link #limits()}'s 5 minutes), the transport renews again in the background, a third of a
 *       lock duration before each lock runs out, until the lease is over, so a message stays locked
 *       at least as long as asked and at most one lock duration longer. A lease shorter than the
 *       lock cannot shorten it. A lease of zero abandons the message (Service Bus counts that as a
 *       delivery, as SQS counts the next receive).
 *   <li><b>Receive counts</b> are Service Bus's delivery count plus one: the Java SDK reports the
 *       AMQP header's count of earlier deliveries, 0 on the first, where Shoal counts this one.
 *   <li><b>Depth.</b> Service Bus counts locked messages among the active ones and has no count
 *       of locks, so {@link #depth} reports as in flight the messages this transport holds locked
 *       and as visible the rest of the active count: exact for the sum, which is what scaling
 *       reads; a dispatcher, holding no locks, sees everything as visible.
 *       {@link #deadLetterCount} reads the dead-lettered count.
 *   <li><b>Labels</b> ({@link #tagQueue}) are kept as a JSON object in the queue's user metadata
 *       (at most 1,024 characters).
 *   <li><b>Replies: a queue per run, deleted when idle.</b> The client creates a reply queue per
 *       run through {@link #createQueue}, labelled with {@value #EXPIRES_TAG}; such a queue gets
 *       auto-delete-on-idle for that long (at least Service Bus's 5 minutes), so the queue of a
 *       client killed before it could delete it goes away by itself, with no sweeper. Sessions on
 *       one shared reply queue keyed by run id would save creating a queue per run, but the
 *       transport contract has no sessions (a queue is an address that receives its own
 *       messages), every client would need session receivers and the rights to the shared queue,
 *       and a run whose client dies would leave its session's messages in a queue that never
 *       idles.
 * </ul>
 *
 * <p>Blocking SDK calls run on the transport's own threads ({@code shoal-servicebus-*}); every
 * operation is asynchronous to the caller and fails with a {@link TransportException} that says
 * whether a retry may help.
 */
public final class ServiceBusTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(ServiceBusTransport.class);

  /** The largest message a Standard namespace takes. */
  public static final int STANDARD_MAX_MESSAGE_BYTES = 256 * 1024;
  /** Bytes of a message kept for the AMQP envelope around its body, beyond what the SDK's batch keeps. */
  static final int ENVELOPE_RESERVE = 1024;
  /** The shortest and longest lock Service Bus gives a queue. */
  public static final Duration MIN_LOCK = QueueDescriptions.MIN_LOCK;
  public static final Duration MAX_LOCK = QueueDescriptions.MAX_LOCK;
  /** The label whose instant tells when a queue may go (a run's reply queue): it then gets auto-delete-on-idle. */
  public static final String EXPIRES_TAG = "shoal:expires";

  static final int SHORT_POLL_MILLIS = 250;
  /** How long a receive that got its first message waits for more that are there already. */
  private static final Duration GATHER = Duration.ofMillis(100);
  private static final int BATCH = 100;
  private static final Duration MAX_RECEIVE_WAIT = Duration.ofSeconds(60);
  private static final int MAX_REASON_CHARS = 1024;
  private static final int MAX_DESCRIPTION_CHARS = 4096;

  private final ServiceBusClientBuilder messaging;
  private final ServiceBusAdministrationAsyncClient admin;
  private final String namespace;
  private final int linkBytes;
  private final int prefetch;
  private final TransportLimits limits;
  private final Clock clock = Clock.systemUTC();
  private final HeldLocks held = new HeldLocks(clock);
  private final Map<String, ServiceBusSenderAsyncClient> senders = new ConcurrentHashMap<>();
  private final Map<String, ServiceBusReceiverClient> receivers = new ConcurrentHashMap<>();
  private final ExecutorService receiving;
  private final ExecutorService settling;
  private final ScheduledExecutorService renewals;
  private volatile boolean closed;

  private ServiceBusTransport(Builder builder) {
    this.namespace = builder.namespace;
    this.messaging = ServiceBusClients.messaging(builder.connectionString, builder.namespace, builder.credential);
    this.admin = ServiceBusClients.administration(builder.connectionString, builder.namespace, builder.credential,
        builder.adminEndpoint);
    this.linkBytes = builder.maxMessageBytes;
    this.prefetch = builder.prefetch;
    this.limits = new TransportLimits(bodyLimit(linkBytes), BATCH, BATCH, MAX_RECEIVE_WAIT, MAX_LOCK);
    this.receiving = Executors.newCachedThreadPool(daemons("shoal-servicebus-receive"));
    this.settling = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        daemons("shoal-servicebus-settle"));
    ((ThreadPoolExecutor) settling).allowCoreThreadTimeOut(true);
    this.renewals = Executors.newSingleThreadScheduledExecutor(daemons("shoal-servicebus-locks"));
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public TransportLimits limits() {
    return limits;
  }

  /** An {@code sb://} address, as opposed to a queue name (which cannot contain ':'). */
  @Override
  public boolean isAddress(String nameOrAddress) {
    return QueueAddress.isAddress(nameOrAddress);
  }

  private String address(String queue) {
    return new QueueAddress(namespace, queue, false).toString();
  }

  /** Parses an address of this transport's namespace. */
  private QueueAddress parse(String address) {
    QueueAddress parsed = QueueAddress.parse(address);
    if (!parsed.namespace().equalsIgnoreCase(namespace)) {
      throw new TransportException("queue " + address + " is not in namespace " + namespace, false);
    }
    return parsed;
  }

  /**
   * Creates the queue: its lock is the visibility timeout (within 5 s to 5 min), {@code maxReceiveCount}
   * deliveries (0: unlimited) move a message to its dead-letter queue, which then also takes expired
   * messages; labels go to the user metadata. A queue that exists is taken as it is.
   */
  @Override
  public CompletableFuture<String> createQueue(String name, QueueOptions options) {
    CreateQueueOptions create;
    try {
      create = QueueDescriptions.create(options, EXPIRES_TAG, clock.instant());
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    return wrap("create queue " + name, admin.createQueue(name, create).toFuture()
        .thenApply(created -> address(name))
        .exceptionallyCompose(error -> cause(error) instanceof ResourceExistsException
            ? CompletableFuture.completedFuture(address(name)) : CompletableFuture.failedFuture(error)));
  }

  /**
   * The largest body in a message of {@code messageBytes}: an SDK batch keeps 1 KiB in every 64 KiB
   * of the link's size for its framing, and the message's own envelope takes some more.
   */
  static int bodyLimit(int messageBytes) {
    return messageBytes - messageBytes / (64 * 1024) * 1024 - ENVELOPE_RESERVE;
  }

  @Override
  public CompletableFuture<String> queueAddress(String name) {
    return wrap("find queue " + name, exists(name).thenCompose(found -> {
      if (found) {
        return CompletableFuture.completedFuture(address(name));
      }
      String suffix = QueueOptions.deadLetterName("");
      if (name.endsWith(suffix) && name.length() > suffix.length()) {
        String parent = name.substring(0, name.length() - suffix.length());
        return exists(parent).thenApply(parentFound -> {
          if (!parentFound) {
            throw new TransportException("no queue " + name + " (nor " + parent + ")", false);
          }
          return new QueueAddress(namespace, parent, true).toString();
        });
      }
      throw new TransportException("no queue " + name, false);
    }));
  }

  private CompletableFuture<Boolean> exists(String name) {
    return admin.getQueueExists(name).toFuture();
  }

  @Override
  public CompletableFuture<Void> deleteQueue(String address) {
    QueueAddress queue;
    try {
      queue = parse(address);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (queue.deadLetters()) {
      return CompletableFuture.completedFuture(null); // it goes with its queue
    }
    forgetClients(queue.queue());
    return wrap("delete queue " + address, admin.deleteQueue(queue.queue()).toFuture());
  }

  /** Closes the sender and receivers of a queue (being deleted, or found missing). */
  private void forgetClients(String queue) {
    ServiceBusSenderAsyncClient sender = senders.remove(queue);
    if (sender != null) {
      sender.close();
    }
    for (String path : List.of(queue, queue + QueueAddress.DEAD_LETTER_SUFFIX)) {
      ServiceBusReceiverClient receiver = receivers.remove(path);
      if (receiver != null) {
        receiver.close();
      }
    }
  }

  @Override
  public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
    QueueAddress queue;
    try {
      queue = parse(address);
      if (queue.deadLetters()) {
        throw new TransportException("Service Bus does not take messages sent to a dead-letter queue: " + address,
            false);
      }
      for (byte[] body : bodies) {
        if (body.length > limits.maxMessageBytes()) {
          throw new TransportException("message of " + body.length + " bytes is over the limit of "
              + limits.maxMessageBytes(), false);
        }
      }
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (bodies.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    ServiceBusSenderAsyncClient sender = senders.computeIfAbsent(queue.queue(),
        q -> messaging.sender().queueName(q).buildAsyncClient());
    return wrap("send to " + address, sendFrom(sender, bodies, 0, new ArrayList<>()))
        .whenComplete((ignored, error) -> forgetIfMissing(queue.queue(), error));
  }

  /**
   * Sends {@code bodies} from {@code first} on in batches, each as full as its size allows and of at
   * most {@value #BATCH} messages (the declared {@code maxSendBatch}): a batch goes out as soon as it
   * is packed, while the next one is packed, and the call completes when every send has.
   */
  private CompletableFuture<Void> sendFrom(ServiceBusSenderAsyncClient sender, List<byte[]> bodies, int first,
      List<CompletableFuture<Void>> sends) {
    if (first == bodies.size()) {
      return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
    }
    return sender.createMessageBatch(new CreateMessageBatchOptions().setMaximumSizeInBytes(linkBytes)).toFuture()
        .thenCompose(batch -> {
          int next = first;
          while (next < bodies.size() && next - first < BATCH
              && batch.tryAddMessage(new ServiceBusMessage(BinaryData.fromBytes(bodies.get(next))))) {
            next++;
          }
          if (next == first) {
            throw new TransportException("a message of " + bodies.get(first).length
                + " bytes does not fit in a batch of " + batch.getMaxSizeInBytes() + " bytes", false);
          }
          sends.add(sender.sendMessages(batch).toFuture());
          return sendFrom(sender, bodies, next, sends);
        });
  }

  @Override
  public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
    QueueAddress queue;
    try {
      queue = parse(address);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    int count = Math.max(1, Math.min(max, limits.maxReceiveBatch()));
    Duration poll = limits.receiveWait(wait);
    Duration window = poll.toMillis() < SHORT_POLL_MILLIS ? Duration.ofMillis(SHORT_POLL_MILLIS) : poll;
    return wrap("receive from " + address, supply(receiving, () -> {
      held.forgetLapsed();
      ServiceBusReceiverClient receiver = receivers.computeIfAbsent(queue.entityPath(), path -> receiver(queue));
      // The SDK ends a receive a second after its last message when fewer than asked for came: so
      // wait for one, then gather briefly what else is there at once.
      List<ServiceBusReceivedMessage> messages = new ArrayList<>();
      receiver.receiveMessages(1, window).forEach(messages::add);
      if (!messages.isEmpty() && count > 1) {
        receiver.receiveMessages(count - 1, GATHER).forEach(messages::add);
      }
      List<ReceivedMessage> received = new ArrayList<>();
      for (ServiceBusReceivedMessage message : messages) {
        String receipt = message.getLockToken();
        Instant lockedUntil = message.getLockedUntil() == null ? clock.instant() : message.getLockedUntil().toInstant();
        if (prefetch > 0 && !lockedUntil.isAfter(clock.instant())) {
          continue; // its lock ran out in the prefetch buffer: it is back in the queue, for whoever gets it next
        }
        held.add(receipt, new HeldLocks.Held(address, receiver, message, lockedUntil));
        received.add(new ReceivedMessage(Long.toString(message.getSequenceNumber()), receipt,
            message.getBody().toBytes(), (int) message.getDeliveryCount() + 1,
            queue.deadLetters() ? deadLetterReason(message.getDeadLetterReason(),
                message.getDeadLetterErrorDescription()) : null));
      }
      return received;
    })).whenComplete((ignored, error) -> {
      if (error != null && !retryable(cause(error))) {
        ServiceBusReceiverClient broken = receivers.remove(queue.entityPath());
        if (broken != null) {
          broken.close();
        }
      }
    });
  }

  private ServiceBusReceiverClient receiver(QueueAddress queue) {
    ServiceBusClientBuilder.ServiceBusReceiverClientBuilder builder = messaging.receiver()
        .queueName(queue.queue())
        .receiveMode(ServiceBusReceiveMode.PEEK_LOCK)
        .prefetchCount(prefetch)
        .disableAutoComplete()
        .maxAutoLockRenewDuration(Duration.ZERO);
    if (queue.deadLetters()) {
      builder.subQueue(SubQueue.DEAD_LETTER_QUEUE);
    }
    return builder.buildClient();
  }

  @Override
  public CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages) {
    return each(messages, "complete a message of " + address, held -> held.receiver.complete(held.message));
  }

  @Override
  public CompletableFuture<Void> extendLease(String address, List<ReceivedMessage> messages, Duration visibility) {
    if (visibility.isZero() || visibility.isNegative()) {
      return each(messages, "abandon a message of " + address, held -> held.receiver.abandon(held.message));
    }
    Duration lease = limits.lease(visibility);
    List<CompletableFuture<Void>> renewed = new ArrayList<>();
    for (ReceivedMessage message : messages) {
      HeldLocks.Held entry = held.get(message.receipt());
      if (entry == null) {
        renewed.add(CompletableFuture.failedFuture(lockLost(message)));
        continue;
      }
      Instant until = clock.instant().plus(lease);
      entry.keepUntil(until);
      renewed.add(wrap("renew the lock of a message of " + address, renew(entry)));
    }
    return CompletableFuture.allOf(renewed.toArray(CompletableFuture[]::new));
  }

  /**
   * Renews a lock now, and plans the next renewal if the lease it is kept for outlasts the new
   * lock: a third of a lock duration before that lock runs out.
   */
  private CompletableFuture<Void> renew(HeldLocks.Held entry) {
    return supply(settling, () -> {
      Instant renewedAt = clock.instant();
      OffsetDateTime until = entry.receiver.renewMessageLock(entry.message);
      entry.renewed(until.toInstant());
      Instant keep = entry.keepUntil();
      // Not for a message settled meanwhile: its entry is gone.
      if (until.toInstant().isBefore(keep) && !closed && held.get(entry.message.getLockToken()) == entry) {
        Duration lock = Duration.between(renewedAt, until.toInstant());
        long delay = Math.max(0, Duration.between(clock.instant(), until.toInstant()).toMillis() - lock.toMillis() / 3);
        entry.renewal(renewals.schedule(() -> renew(entry).whenComplete((ignored, error) -> {
          if (error != null) {
            log.warn("could not keep renewing the lock of message {}: {}", entry.message.getSequenceNumber(),
                cause(error).toString());
          }
        }), delay, TimeUnit.MILLISECONDS));
      }
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> deadLetter(String address, ReceivedMessage message, String reason) {
    HeldLocks.Held entry = held.take(message.receipt());
    if (entry == null) {
      return CompletableFuture.failedFuture(lockLost(message));
    }
    String description = reason;
    if (!Arrays.equals(message.body(), entry.message.getBody().toBytes())) {
      description = "part of this message: " + reason;
    }
    DeadLetterOptions options = new DeadLetterOptions()
        .setDeadLetterReason(truncate(shortReason(reason), MAX_REASON_CHARS))
        .setDeadLetterErrorDescription(truncate(description, MAX_DESCRIPTION_CHARS));
    return wrap("dead-letter a message of " + address, supply(settling, () -> {
      entry.receiver.deadLetter(entry.message, options);
      return null;
    }));
  }

  /**
   * A dead letter's reason as one line: the description when it holds the reason (as
   * {@link #deadLetter} writes them: the kind, and the whole reason), else both, as in Service Bus's own
   * "MaxDeliveryCountExceeded: Message could not be consumed after 10 delivery attempts."; null when
   * neither is set.
   */
  static String deadLetterReason(String reason, String description) {
    boolean hasReason = reason != null && !reason.isEmpty();
    boolean hasDescription = description != null && !description.isEmpty();
    if (!hasDescription) {
      return hasReason ? reason : null;
    }
    return !hasReason || description.contains(reason) ? description : reason + ": " + description;
  }

  /** Every queue has a dead-letter sub-queue on Service Bus: {@code sb://<namespace>/<queue>/$deadletterqueue}. */
  @Override
  public CompletableFuture<String> deadLetterAddress(String address) {
    try {
      QueueAddress queue = parse(address);
      if (queue.deadLetters()) {
        throw new TransportException("a dead-letter queue has no dead-letter queue of its own: " + address, false);
      }
      return CompletableFuture.completedFuture(new QueueAddress(namespace, queue.queue(), true).toString());
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Service Bus's peek, page by page from the first sequence number: locked messages too, no lock
   * taken, no delivery counted. The message's id is its sequence number, as on receive.
   */
  @Override
  public CompletableFuture<List<ReceivedMessage>> peek(String address, int max) {
    QueueAddress queue;
    try {
      queue = parse(address);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    return wrap("peek at " + address, supply(receiving, () -> {
      ServiceBusReceiverClient receiver = receivers.computeIfAbsent(queue.entityPath(), path -> receiver(queue));
      List<ReceivedMessage> peeked = new ArrayList<>();
      long from = 0;
      while (peeked.size() < max) {
        List<ServiceBusReceivedMessage> page = new ArrayList<>();
        receiver.peekMessages(Math.min(BATCH, max - peeked.size()), from).forEach(page::add);
        if (page.isEmpty()) {
          break;
        }
        for (ServiceBusReceivedMessage message : page) {
          peeked.add(new ReceivedMessage(Long.toString(message.getSequenceNumber()), null,
              message.getBody().toBytes(), (int) message.getDeliveryCount() + 1,
              queue.deadLetters() ? deadLetterReason(message.getDeadLetterReason(),
                  message.getDeadLetterErrorDescription()) : null));
          from = Math.max(from, message.getSequenceNumber() + 1);
        }
      }
      return peeked;
    }));
  }

  /** The namespace's queues (through the administration API, which needs the Manage right) whose names start so. */
  @Override
  public CompletableFuture<List<String>> listQueues(String namePrefix) {
    return wrap("list queues " + namePrefix + "*", admin.listQueues()
        .filter(properties -> properties.getName().startsWith(namePrefix))
        .map(properties -> address(properties.getName()))
        .collectList().toFuture());
  }

  /** The reason's kind: its text before the first colon (as in "malformed: ..."), else all of it. */
  static String shortReason(String reason) {
    int colon = reason.indexOf(':');
    return colon > 0 ? reason.substring(0, colon) : reason;
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 3) + "...";
  }

  /** Settles each message through the receiver that took it, on the transport's threads. */
  private CompletableFuture<Void> each(List<ReceivedMessage> messages, String what,
      java.util.function.Consumer<HeldLocks.Held> settle) {
    List<CompletableFuture<Void>> settled = new ArrayList<>();
    for (ReceivedMessage message : messages) {
      HeldLocks.Held entry = held.take(message.receipt());
      if (entry == null) {
        settled.add(CompletableFuture.failedFuture(lockLost(message)));
        continue;
      }
      settled.add(wrap(what, supply(settling, () -> {
        settle.accept(entry);
        return null;
      })));
    }
    return CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new));
  }

  private static TransportException lockLost(ReceivedMessage message) {
    return new TransportException("message " + message.id() + " is not held by this transport: settled, or its lock"
        + " ran out", false);
  }

  @Override
  public CompletableFuture<QueueDepth> depth(String address) {
    QueueAddress queue;
    try {
      queue = parse(address);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    return wrap("read the depth of " + address, admin.getQueueRuntimeProperties(queue.queue()).toFuture()
        .thenApply(runtime -> {
          long count = queue.deadLetters() ? runtime.getDeadLetterMessageCount() : runtime.getActiveMessageCount();
          long locked = Math.min(count, held.lockedHere(address));
          return new QueueDepth(count - locked, locked);
        }));
  }

  /** How many messages the queue's dead-letter queue holds. */
  public CompletableFuture<Long> deadLetterCount(String address) {
    QueueAddress queue;
    try {
      queue = parse(address);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    return wrap("read the dead-letter count of " + address, admin.getQueueRuntimeProperties(queue.queue()).toFuture()
        .thenApply(runtime -> (long) runtime.getDeadLetterMessageCount()));
  }

  @Override
  public CompletableFuture<Void> tagQueue(String address, Map<String, String> tags) {
    QueueAddress queue;
    try {
      queue = parse(address);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    return wrap("label queue " + address, admin.getQueue(queue.queue()).toFuture().thenCompose(properties -> {
      Map<String, String> merged = new TreeMap<>(QueueDescriptions.labels(properties.getUserMetadata()));
      merged.putAll(tags);
      properties.setUserMetadata(QueueDescriptions.metadata(merged));
      return admin.updateQueue(properties).toFuture();
    }).thenApply(updated -> null));
  }

  @Override
  public CompletableFuture<Map<String, String>> queueTags(String address) {
    QueueAddress queue;
    try {
      queue = parse(address);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    return wrap("read the labels of " + address, admin.getQueue(queue.queue()).toFuture()
        .thenApply(properties -> QueueDescriptions.labels(properties.getUserMetadata())));
  }

  private void forgetIfMissing(String queue, Throwable error) {
    if (error != null && cause(error) instanceof TransportException transport
        && transport.getCause() instanceof ServiceBusException bus
        && bus.getReason() == ServiceBusFailureReason.MESSAGING_ENTITY_NOT_FOUND) {
      forgetClients(queue);
    }
  }

  private <T> CompletableFuture<T> supply(ExecutorService executor, Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, executor);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new TransportException("the transport is closed", e, false));
    }
  }

  private static Throwable cause(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Maps SDK failures to {@link TransportException}, saying whether a retry may help. */
  private static <T> CompletableFuture<T> wrap(String what, CompletableFuture<T> call) {
    return call.handle((value, error) -> {
      if (error == null) {
        return value;
      }
      Throwable cause = cause(error);
      if (cause instanceof TransportException transport) {
        throw transport;
      }
      throw new TransportException("could not " + what + ": " + cause.getMessage(), cause, retryable(cause));
    });
  }

  /**
   * Whether a retry may help: decided by the first SDK failure in the cause chain (the synchronous
   * receiver wraps what ended it), else yes.
   */
  static boolean retryable(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      Boolean decided = decide(cause);
      if (decided != null) {
        return decided;
      }
    }
    return !(error instanceof IllegalArgumentException);
  }

  private static Boolean decide(Throwable cause) {
    if (cause instanceof ServiceBusException bus) {
      return bus.isTransient() && bus.getReason() != ServiceBusFailureReason.MESSAGING_ENTITY_NOT_FOUND;
    }
    if (cause instanceof AmqpException amqp) {
      return amqp.isTransient() && amqp.getErrorCondition() != AmqpErrorCondition.NOT_FOUND;
    }
    if (cause instanceof ResourceNotFoundException || cause instanceof ResourceExistsException) {
      return false;
    }
    if (cause instanceof HttpResponseException http && http.getResponse() != null) {
      int status = http.getResponse().getStatusCode();
      return status == 408 || status == 429 || status >= 500;
    }
    return null;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    held.clear();
    renewals.shutdownNow();
    receivers.values().forEach(ServiceBusReceiverClient::close);
    receivers.clear();
    senders.values().forEach(ServiceBusSenderAsyncClient::close);
    senders.clear();
    receiving.shutdownNow();
    settling.shutdown();
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Configuration of a Service Bus transport: a namespace (connection string, or name and credential). */
  public static final class Builder {
    private String connectionString;
    private String namespace;
    private TokenCredential credential;
    private URI adminEndpoint;
    private int maxMessageBytes = STANDARD_MAX_MESSAGE_BYTES;
    private int prefetch;

    private Builder() {}

    /** A namespace by connection string: a shared access key, or the emulator ({@code UseDevelopmentEmulator=true}). */
    public Builder connectionString(String connectionString) {
      this.connectionString = Objects.requireNonNull(connectionString, "connectionString");
      this.namespace = null;
      this.credential = null;
      return this;
    }

    /** A namespace by fully qualified name ({@code <name>.servicebus.windows.net}), signed in with a credential. */
    public Builder namespace(String fullyQualifiedNamespace, TokenCredential credential) {
      this.namespace = Objects.requireNonNull(fullyQualifiedNamespace, "fullyQualifiedNamespace");
      this.credential = Objects.requireNonNull(credential, "credential");
      this.connectionString = null;
      return this;
    }

    /** Where the administration API is, when not at the namespace (the emulator's management port). */
    public Builder adminEndpoint(URI endpoint) {
      this.adminEndpoint = endpoint;
      return this;
    }

    /** The largest message the namespace takes (default {@link #STANDARD_MAX_MESSAGE_BYTES}; more on Premium). */
    public Builder maxMessageBytes(int bytes) {
      if (bodyLimit(bytes) < 1024) {
        throw new IllegalArgumentException("maxMessageBytes is too small for an envelope and a body: " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /** Messages a receiver fetches ahead (default 0: none, see the class comment). */
    public Builder prefetch(int messages) {
      if (messages < 0) {
        throw new IllegalArgumentException("prefetch must be >= 0: " + messages);
      }
      this.prefetch = messages;
      return this;
    }

    public ServiceBusTransport build() {
      if (connectionString == null && namespace == null) {
        throw new IllegalStateException("a Service Bus transport needs a connection string or a namespace");
      }
      Builder copy = new Builder();
      copy.connectionString = connectionString;
      copy.namespace = namespace != null ? namespace : namespaceOf(connectionString);
      copy.credential = credential;
      copy.adminEndpoint = adminEndpoint;
      copy.maxMessageBytes = maxMessageBytes;
      copy.prefetch = prefetch;
      return new ServiceBusTransport(copy);
    }

    /** The host of a connection string's {@code Endpoint=sb://host[:port]/}. */
    static String namespaceOf(String connectionString) {
      for (String part : connectionString.split(";")) {
        int eq = part.indexOf('=');
        if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase("Endpoint")) {
          URI endpoint = URI.create(part.substring(eq + 1).trim());
          if (endpoint.getHost() != null) {
            return endpoint.getHost();
          }
        }
      }
      throw new IllegalArgumentException("the connection string has no Endpoint=sb://<namespace>");
    }
  }
}
