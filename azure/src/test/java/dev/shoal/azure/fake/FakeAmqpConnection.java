package dev.shoal.azure.fake;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Outcome;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transaction.TransactionalState;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.SaslListener;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to the fake namespace: a proton-j engine over a plain socket (SASL
 * ANONYMOUS or PLAIN, no TLS, as the emulator speaks), fed by a reader thread and otherwise run
 * on the fake's event loop. It routes each link by its address: {@code $cbs} and
 * {@code <entity>/$management} are request/response nodes, a queue name as a target receives
 * messages (single or batched), a queue or dead-letter path as a source hands out peek-locked
 * messages, their delivery tags the lock tokens.
 */
final class FakeAmqpConnection {
  private static final Logger log = LoggerFactory.getLogger(FakeAmqpConnection.class);
  private static final int INCOMING_CREDIT = 100;
  private static final Symbol DEAD_LETTER = Symbol.valueOf("com.microsoft:dead-letter");
  private static final Symbol LOCK_LOST = Symbol.valueOf("com.microsoft:message-lock-lost");
  private static final Symbol NOT_FOUND = Symbol.valueOf("amqp:not-found");
  private static final Symbol UNAUTHORIZED = Symbol.valueOf("amqp:unauthorized-access");
  private static final Symbol NOT_ALLOWED = Symbol.valueOf("amqp:not-allowed");
  private static final Symbol TOO_LARGE = Symbol.valueOf("amqp:link:message-size-exceeded");

  /** What a link the client opened is for, kept as the link's context. */
  private sealed interface Role permits CbsRequests, ManagementRequests, QueueSends, Replies, Consumer {}

  private record CbsRequests() implements Role {}

  private record ManagementRequests(String entityPath) implements Role {}

  private record QueueSends(String queueName) implements Role {}

  private record Replies(String address) implements Role {}

  /** A delivery's lock, kept as the delivery's context. */
  private record LockRef(FakeMessageStore store, UUID token) {}

  private final Socket socket;
  private final String name;
  private final ScheduledExecutorService loop;
  private final FakeNamespace namespace;
  private final FakeCbs cbs;
  private final FakeManagement management;
  private final int maxMessageBytes;
  private final FakeOperations operations;
  private final Transport transport = Proton.transport();
  private final Connection connection = Proton.connection();
  private final Collector collector = Proton.collector();
  private final Set<String> authorized = new HashSet<>();
  private final Map<String, Sender> replyLinks = new HashMap<>();
  private final List<Consumer> consumers = new ArrayList<>();
  private OutputStream out;
  private ScheduledFuture<?> ticks;
  private boolean workScheduled;
  private boolean closed;

  FakeAmqpConnection(Socket socket, String name, ScheduledExecutorService loop, FakeNamespace namespace, FakeCbs cbs,
      FakeManagement management, int maxMessageBytes, FakeOperations operations) {
    this.socket = socket;
    this.name = name;
    this.loop = loop;
    this.namespace = namespace;
    this.cbs = cbs;
    this.management = management;
    this.maxMessageBytes = maxMessageBytes;
    this.operations = operations;
  }

  /** Runs on the loop. */
  void start() throws IOException {
    out = socket.getOutputStream();
    Sasl sasl = transport.sasl();
    sasl.server();
    sasl.setMechanisms("ANONYMOUS", "PLAIN");
    sasl.setListener(new SaslAcceptingAll());
    connection.collect(collector);
    transport.bind(connection);
    Thread reader = new Thread(this::read, name + "-reader");
    reader.setDaemon(true);
    reader.start();
    // The client asks for an idle timeout: proton answers it with empty frames when ticked.
    ticks = loop.scheduleWithFixedDelay(() -> {
      if (!closed) {
        transport.tick(System.currentTimeMillis());
        work();
      }
    }, 1, 1, TimeUnit.SECONDS);
  }

  private void read() {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = socket.getInputStream()) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        byte[] chunk = Arrays.copyOf(buffer, n);
        loop.execute(() -> input(chunk));
      }
    } catch (IOException | RejectedExecutionException e) {
      log.debug("{}: reading ended: {}", name, e.toString());
    }
    try {
      loop.execute(this::shutdown);
    } catch (RejectedExecutionException stopped) {
      // the fake is closing; it closes every connection itself
    }
  }

  private void input(byte[] bytes) {
    if (closed) {
      return;
    }
    try {
      int offset = 0;
      while (offset < bytes.length) {
        int capacity = transport.capacity();
        if (capacity <= 0) {
          shutdown();
          return;
        }
        int n = Math.min(capacity, bytes.length - offset);
        transport.tail().put(bytes, offset, n);
        transport.process();
        offset += n;
      }
    } catch (RuntimeException e) {
      log.warn("{}: protocol error, closing: {}", name, e.toString());
      shutdown();
      return;
    }
    work();
  }

  /** Handles every pending engine event, then writes whatever the engine has to send. */
  private void work() {
    workScheduled = false;
    if (closed) {
      return;
    }
    try {
      Event event;
      while ((event = collector.peek()) != null) {
        handle(event);
        collector.pop();
      }
      while (transport.pending() > 0) {
        ByteBuffer head = transport.head();
        int n = head.remaining();
        byte[] chunk = new byte[n];
        head.get(chunk);
        out.write(chunk);
        transport.pop(n);
      }
      out.flush();
    } catch (IOException | RuntimeException e) {
      log.debug("{}: closing", name, e);
      shutdown();
    }
  }

  /** Asks for {@link #work()} once the current loop task is done (no re-entry into the collector). */
  private void workSoon() {
    if (!workScheduled && !closed) {
      workScheduled = true;
      loop.execute(this::work);
    }
  }

  private void handle(Event event) {
    switch (event.getType()) {
      case CONNECTION_REMOTE_OPEN -> {
        if (connection.getLocalState() == EndpointState.UNINITIALIZED) {
          connection.setContainer("fake-servicebus");
          connection.open();
        }
      }
      case CONNECTION_REMOTE_CLOSE -> connection.close();
      case SESSION_REMOTE_OPEN -> {
        Session session = event.getSession();
        if (session.getLocalState() == EndpointState.UNINITIALIZED) {
          session.open();
        }
      }
      case SESSION_REMOTE_CLOSE -> event.getSession().close();
      case LINK_REMOTE_OPEN -> linkOpened(event.getLink());
      case LINK_REMOTE_CLOSE, LINK_REMOTE_DETACH -> linkClosed(event.getLink());
      case LINK_FLOW -> {
        if (event.getLink().getContext() instanceof Consumer consumer) {
          consumer.flowed();
        }
      }
      case DELIVERY -> {
        Delivery delivery = event.getDelivery();
        if (delivery.getLink() instanceof Receiver receiver) {
          received(receiver, delivery);
        } else {
          settledByClient(delivery);
        }
      }
      case TRANSPORT_CLOSED -> shutdown();
      default -> {
        // local state changes and the like need nothing
      }
    }
  }

  private void linkOpened(Link link) {
    if (link.getLocalState() != EndpointState.UNINITIALIZED) {
      return;
    }
    link.setSource(link.getRemoteSource());
    link.setTarget(link.getRemoteTarget());
    link.setSenderSettleMode(link.getRemoteSenderSettleMode());
    link.setReceiverSettleMode(link.getRemoteReceiverSettleMode());
    if (link instanceof Receiver receiver) {
      String address = link.getRemoteTarget() instanceof Target target ? target.getAddress() : null;
      openIncoming(receiver, address == null ? "" : address);
    } else {
      String address = link.getRemoteSource() instanceof Source source ? source.getAddress() : null;
      openOutgoing((Sender) link, address == null ? "" : address);
    }
  }

  /** A link the client sends on: to the CBS node, a management node, or a queue. */
  private void openIncoming(Receiver receiver, String address) {
    Role role;
    if (address.equals(FakeCbs.ADDRESS)) {
      role = new CbsRequests();
    } else if (address.endsWith(FakeManagement.SUFFIX)) {
      String entity = address.substring(0, address.length() - FakeManagement.SUFFIX.length());
      if (refused(receiver, entity, namespace.store(entity) != null)) {
        return;
      }
      role = new ManagementRequests(entity);
    } else {
      FakeQueue queue = namespace.queue(address);
      if (refused(receiver, address, queue != null)) {
        return;
      }
      receiver.setMaxMessageSize(UnsignedLong.valueOf(maxMessageBytes));
      role = new QueueSends(queue.name());
    }
    receiver.setContext(role);
    receiver.open();
    receiver.flow(INCOMING_CREDIT);
  }

  /** A link the client receives on: replies of a request/response node, or a queue's messages. */
  private void openOutgoing(Sender sender, String address) {
    if (address.equals(FakeCbs.ADDRESS) || address.endsWith(FakeManagement.SUFFIX)) {
      String replyTo = sender.getRemoteTarget() instanceof Target target ? target.getAddress() : null;
      if (replyTo != null) {
        replyLinks.put(replyTo, sender);
      }
      sender.setContext(new Replies(replyTo));
      sender.open();
      return;
    }
    FakeMessageStore store = namespace.store(address);
    if (refused(sender, address, store != null)) {
      return;
    }
    Consumer consumer = new Consumer(sender, store);
    sender.setContext(consumer);
    consumers.add(consumer);
    sender.open();
    store.attach(consumer);
  }

  /**
   * Refuses a link to a missing entity or one no token was put for, as the service does: an attach
   * without source (or target), then a detach with the error.
   */
  private boolean refused(Link link, String entity, boolean exists) {
    ErrorCondition error = null;
    if (!exists) {
      error = new ErrorCondition(NOT_FOUND, "The messaging entity '" + entity + "' could not be found.");
    } else if (!FakeCbs.covers(authorized, entity)) {
      error = new ErrorCondition(UNAUTHORIZED, "Unauthorized access to '" + entity + "': no token was put for it.");
    }
    if (error == null) {
      return false;
    }
    if (link instanceof Sender) {
      link.setSource(null);
    } else {
      link.setTarget(null);
    }
    link.open();
    link.setCondition(error);
    link.close();
    return true;
  }

  private void linkClosed(Link link) {
    if (link.getContext() instanceof Consumer consumer) {
      consumer.detach();
    } else if (link.getContext() instanceof Replies replies && replies.address() != null) {
      replyLinks.remove(replies.address(), link);
    }
    if (link.getLocalState() != EndpointState.CLOSED) {
      link.close();
    }
  }

  /** A whole transfer from the client: a request, or messages for a queue. */
  private void received(Receiver receiver, Delivery delivery) {
    if (delivery.isPartial()) {
      return;
    }
    byte[] bytes = new byte[delivery.pending()];
    int read = receiver.recv(bytes, 0, bytes.length);
    receiver.advance();
    Object role = receiver.getContext();
    DeliveryState outcome;
    if (role instanceof CbsRequests) {
      operations.count("cbs.put-token");
      outcome = request(bytes, read, request -> cbs.answer(request, authorized));
    } else if (role instanceof ManagementRequests node) {
      outcome = request(bytes, read, request -> management.answer(node.entityPath(), request));
    } else if (role instanceof QueueSends sends) {
      outcome = enqueue(receiver, sends.queueName(), delivery.getMessageFormat(), bytes);
    } else {
      outcome = new Rejected();
    }
    if (!delivery.remotelySettled()) {
      delivery.disposition(outcome);
    }
    delivery.settle();
    receiver.flow(1);
  }

  private DeliveryState request(byte[] bytes, int length, java.util.function.Function<Message, Message> node) {
    Message request = Proton.message();
    request.decode(bytes, 0, length);
    Message response = node.apply(request);
    response.setCorrelationId(request.getMessageId());
    Sender replies = replyLinks.get(request.getReplyTo());
    if (replies == null) {
      log.warn("{}: no reply link for {}", name, request.getReplyTo());
      return new Rejected();
    }
    byte[] encoded = FakeMessage.encode(response);
    Delivery reply = replies.delivery(UUID.randomUUID().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    replies.send(encoded, 0, encoded.length);
    replies.advance();
    reply.settle();
    return Accepted.getInstance();
  }

  private DeliveryState enqueue(Receiver receiver, String queueName, int format, byte[] bytes) {
    FakeQueue queue = namespace.queue(queueName);
    if (queue == null) {
      ErrorCondition gone = new ErrorCondition(NOT_FOUND,
          "The messaging entity '" + queueName + "' could not be found.");
      receiver.setCondition(gone);
      receiver.close();
      return rejected(gone);
    }
    if (bytes.length > maxMessageBytes) {
      return rejected(new ErrorCondition(TOO_LARGE, "The received message (size " + bytes.length
          + ") exceeds the limit (" + maxMessageBytes + ") currently allowed on the link."));
    }
    List<byte[]> messages = format == FakeMessage.BATCH_FORMAT ? FakeMessage.unbatch(bytes) : List.of(bytes);
    operations.count("send.transfer");
    operations.count("send.message", messages.size());
    messages.forEach(queue::accept);
    return Accepted.getInstance();
  }

  /** The client's disposition of a message it received: settle it with the outcome the broker reached. */
  private void settledByClient(Delivery delivery) {
    if (delivery.isSettled() || !(delivery.getContext() instanceof LockRef lock)) {
      return;
    }
    DeliveryState state = delivery.getRemoteState();
    if (state == null) {
      if (delivery.remotelySettled()) {
        delivery.settle();
      }
      return;
    }
    Outcome outcome = state instanceof TransactionalState transactional ? transactional.getOutcome() : (Outcome) state;
    FakeMessageStore.Settled result;
    if (outcome instanceof Accepted) {
      operations.count("settle.complete");
      result = lock.store().complete(lock.token());
    } else if (outcome instanceof Released) {
      operations.count("settle.release");
      result = lock.store().release(lock.token());
    } else if (outcome instanceof Modified modified) {
      operations.count("settle.abandon");
      // Deferral (undeliverable-here) is not modelled.
      result = Boolean.TRUE.equals(modified.getUndeliverableHere()) ? FakeMessageStore.Settled.NOT_ALLOWED
          : lock.store().abandon(lock.token());
    } else if (outcome instanceof Rejected rejected) {
      operations.count("settle.deadletter");
      result = deadLetter(lock, rejected);
    } else {
      result = FakeMessageStore.Settled.NOT_ALLOWED;
    }
    delivery.disposition(switch (result) {
      case DONE -> state;
      case LOCK_LOST -> rejected(new ErrorCondition(LOCK_LOST, "The lock supplied is invalid. Either the lock"
          + " expired, or the message has already been removed from the queue."));
      case NOT_ALLOWED -> rejected(new ErrorCondition(NOT_ALLOWED, "not supported by the fake: " + outcome));
    });
    delivery.settle();
  }

  private static FakeMessageStore.Settled deadLetter(LockRef lock, Rejected rejected) {
    ErrorCondition error = rejected.getError();
    String reason = null;
    String description = null;
    if (error != null && DEAD_LETTER.equals(error.getCondition()) && error.getInfo() != null) {
      Map<?, ?> info = error.getInfo();
      for (Map.Entry<?, ?> entry : info.entrySet()) {
        String key = String.valueOf(entry.getKey());
        if (key.equals("DeadLetterReason")) {
          reason = String.valueOf(entry.getValue());
        } else if (key.equals("DeadLetterErrorDescription")) {
          description = String.valueOf(entry.getValue());
        }
      }
    }
    return lock.store().deadLetter(lock.token(), reason, description);
  }

  private static Rejected rejected(ErrorCondition error) {
    Rejected rejected = new Rejected();
    rejected.setError(error);
    return rejected;
  }

  /** The socket closed or the client went away: receive links detach; locks stay until they expire. */
  void shutdown() {
    if (closed) {
      return;
    }
    closed = true;
    if (ticks != null) {
      ticks.cancel(false);
    }
    new ArrayList<>(consumers).forEach(Consumer::detach);
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  /** A receive link on a queue or its dead-letter queue, fed by the store as its credit allows. */
  private final class Consumer implements FakeMessageStore.Consumer, Role {
    private final Sender sender;
    private final FakeMessageStore store;

    Consumer(Sender sender, FakeMessageStore store) {
      this.sender = sender;
      this.store = store;
    }

    @Override
    public int credit() {
      return sender.getLocalState() == EndpointState.ACTIVE ? sender.getCredit() : 0;
    }

    @Override
    public void deliver(FakeMessage message, UUID lockToken, Instant lockedUntil) {
      operations.count("receive.message");
      Delivery delivery = sender.delivery(FakeMessage.deliveryTag(lockToken));
      delivery.setContext(new LockRef(store, lockToken));
      byte[] bytes = message.encodeForDelivery(lockedUntil);
      sender.send(bytes, 0, bytes.length);
      sender.advance();
      workSoon();
    }

    @Override
    public void entityGone(String description) {
      consumers.remove(this);
      sender.setCondition(new ErrorCondition(NOT_FOUND, description));
      sender.close();
      workSoon();
    }

    void flowed() {
      operations.count("receive.flow");
      store.pump();
      if (sender.getDrain() && sender.getCredit() > 0) {
        sender.drained();
      }
    }

    void detach() {
      consumers.remove(this);
      store.detach(this);
    }
  }

  /** The fake takes any SASL mechanism the client picks: authorization happens later, through CBS. */
  private static final class SaslAcceptingAll implements SaslListener {
    @Override
    public void onSaslInit(Sasl sasl, Transport transport) {
      sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
    }

    @Override
    public void onSaslResponse(Sasl sasl, Transport transport) {
      sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
    }

    @Override
    public void onSaslMechanisms(Sasl sasl, Transport transport) {}

    @Override
    public void onSaslChallenge(Sasl sasl, Transport transport) {}

    @Override
    public void onSaslOutcome(Sasl sasl, Transport transport) {}
  }
}
