package dev.shoal.testing;

import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.TransportLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Queues in this JVM with SQS semantics (leases, receive counts, redrive to a dead-letter queue),
 * for unit tests. Addresses are {@code mem://<name>}.
 */
public final class InMemoryTransport implements Transport {
  private static final String SCHEME = "mem://";

  /**
   * Deliberately unlike SQS's (10 a batch): code that assumed another service's numbers instead of
   * reading {@link #limits()} shows up in the tests that run on this transport.
   */
  public static final TransportLimits DEFAULT_LIMITS = new TransportLimits(256 * 1024, 25, 25, Duration.ofSeconds(20),
      Duration.ofHours(12));

  private final TransportLimits limits;
  private final Map<String, MemoryQueue> queues = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  // Long polls block; they get threads of their own so callers never do.
  private final ExecutorService pollers = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "shoal-memory-transport");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean closed;

  public InMemoryTransport(TransportLimits limits) {
    this.limits = java.util.Objects.requireNonNull(limits, "limits");
  }

  public InMemoryTransport(int maxMessageBytes) {
    this(DEFAULT_LIMITS.withMaxMessageBytes(maxMessageBytes));
  }

  public InMemoryTransport() {
    this(DEFAULT_LIMITS);
  }

  @Override
  public TransportLimits limits() {
    return limits;
  }

  @Override
  public boolean isAddress(String nameOrAddress) {
    return nameOrAddress.startsWith(SCHEME);
  }

  @Override
  public CompletableFuture<String> createQueue(String name, QueueOptions options) {
    MemoryQueue deadLetters = null;
    if (options.maxReceiveCount() > 0) {
      String dlq = QueueOptions.deadLetterName(name);
      deadLetters = queues.computeIfAbsent(dlq, n -> new MemoryQueue(n, QueueOptions.defaults(), null));
    }
    MemoryQueue finalDeadLetters = deadLetters;
    queues.computeIfAbsent(name, n -> new MemoryQueue(n, options, finalDeadLetters));
    return CompletableFuture.completedFuture(SCHEME + name);
  }

  @Override
  public CompletableFuture<String> queueAddress(String name) {
    return queues.containsKey(name)
        ? CompletableFuture.completedFuture(SCHEME + name)
        : CompletableFuture.failedFuture(missing(SCHEME + name));
  }

  @Override
  public CompletableFuture<Void> deleteQueue(String address) {
    MemoryQueue queue = queues.remove(name(address));
    if (queue != null) {
      queue.delete();
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
    try {
      MemoryQueue queue = queue(address);
      for (byte[] body : bodies) {
        if (body.length > limits.maxMessageBytes()) {
          throw new TransportException("message of " + body.length + " bytes is over the limit of "
              + limits.maxMessageBytes(), false);
        }
      }
      for (byte[] body : bodies) {
        queue.add(new Message(Long.toString(ids.incrementAndGet()), body.clone()));
      }
      return CompletableFuture.completedFuture(null);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
    MemoryQueue queue;
    try {
      queue = queue(address);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (closed) {
      return CompletableFuture.failedFuture(new TransportException("transport is closed", false));
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return queue.receive(Math.min(max, limits.maxReceiveBatch()), limits.receiveWait(wait));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }, pollers);
  }

  @Override
  public CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages) {
    try {
      MemoryQueue queue = queue(address);
      messages.forEach(queue::delete);
      return CompletableFuture.completedFuture(null);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Void> extendLease(String address, List<ReceivedMessage> messages, Duration visibility) {
    try {
      MemoryQueue queue = queue(address);
      // One stale receipt must not cost the other messages their extension (SQS's batch call
      // also changes every valid entry and reports the failed ones).
      List<String> stale = new ArrayList<>();
      for (ReceivedMessage message : messages) {
        if (!queue.extend(message, limits.lease(visibility))) {
          stale.add(message.receipt());
        }
      }
      if (!stale.isEmpty()) {
        throw new TransportException("receipts " + stale + " are no longer valid", false);
      }
      return CompletableFuture.completedFuture(null);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Void> deadLetter(String address, ReceivedMessage message, String reason) {
    try {
      MemoryQueue queue = queue(address);
      if (queue.deadLetters == null) {
        throw new TransportException("queue " + address + " has no dead-letter queue", false);
      }
      Message dead = new Message(Long.toString(ids.incrementAndGet()), message.body());
      dead.reason = reason;
      // Gone from its queue before it shows in the dead-letter queue, so that whoever sees it
      // there sees the move complete (in memory nothing can fail between the two steps).
      queue.delete(message);
      queue.deadLetters.add(dead);
      return CompletableFuture.completedFuture(null);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<String> deadLetterAddress(String address) {
    try {
      MemoryQueue queue = queue(address);
      if (queue.deadLetters == null) {
        throw new TransportException("queue " + address + " has no dead-letter queue", false);
      }
      return CompletableFuture.completedFuture(SCHEME + queue.deadLetters.name);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<List<ReceivedMessage>> peek(String address, int max) {
    try {
      return CompletableFuture.completedFuture(queue(address).peek(max));
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<List<String>> listQueues(String namePrefix) {
    return CompletableFuture.completedFuture(queues.keySet().stream().filter(name -> name.startsWith(namePrefix))
        .sorted().map(name -> SCHEME + name).toList());
  }

  @Override
  public CompletableFuture<QueueDepth> depth(String address) {
    try {
      return CompletableFuture.completedFuture(queue(address).depth());
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Void> tagQueue(String address, Map<String, String> tags) {
    try {
      queue(address).tags.putAll(tags);
      return CompletableFuture.completedFuture(null);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Map<String, String>> queueTags(String address) {
    try {
      return CompletableFuture.completedFuture(Map.copyOf(queue(address).tags));
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The reasons recorded on the messages of a queue's dead-letter queue, in order (null for those moved by redrive); for tests. */
  public List<String> deadLetterReasons(String queueName) {
    MemoryQueue queue = queues.get(QueueOptions.deadLetterName(queueName));
    return queue == null ? List.of() : queue.reasons();
  }

  @Override
  public void close() {
    closed = true;
    queues.values().forEach(MemoryQueue::wakeAll);
    pollers.shutdownNow();
  }

  private MemoryQueue queue(String address) {
    MemoryQueue queue = queues.get(name(address));
    if (queue == null) {
      throw missing(address);
    }
    return queue;
  }

  private static TransportException missing(String address) {
    return new TransportException("queue " + address + " does not exist", false);
  }

  private static String name(String address) {
    return address.startsWith(SCHEME) ? address.substring(SCHEME.length()) : address;
  }

  private static final class Message {
    final String id;
    final byte[] body;
    long visibleAt;
    int receiveCount;
    String receipt;
    String reason;

    Message(String id, byte[] body) {
      this.id = id;
      this.body = body;
    }
  }

  private final class MemoryQueue {
    final String name;
    final QueueOptions options;
    final MemoryQueue deadLetters;
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    final LinkedHashMap<String, Message> messages = new LinkedHashMap<>();
    final Map<String, String> tags = new ConcurrentHashMap<>();
    boolean deleted;

    MemoryQueue(String name, QueueOptions options, MemoryQueue deadLetters) {
      this.name = name;
      this.options = options;
      this.deadLetters = deadLetters;
      this.tags.putAll(options.tags());
    }

    void add(Message message) {
      lock.lock();
      try {
        messages.put(message.id, message);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    List<ReceivedMessage> receive(int max, Duration wait) throws InterruptedException {
      long deadline = System.nanoTime() + wait.toNanos();
      lock.lock();
      try {
        while (true) {
          if (deleted || closed) {
            return List.of();
          }
          long now = System.nanoTime();
          long nextVisible = Long.MAX_VALUE;
          List<ReceivedMessage> received = new ArrayList<>();
          for (Iterator<Message> it = messages.values().iterator(); it.hasNext() && received.size() < max; ) {
            Message message = it.next();
            if (message.visibleAt > now) {
              nextVisible = Math.min(nextVisible, message.visibleAt);
              continue;
            }
            if (deadLetters != null && message.receiveCount >= options.maxReceiveCount()) {
              it.remove();
              deadLetters.add(message);
              continue;
            }
            message.receiveCount++;
            message.receipt = message.id + "#" + message.receiveCount;
            message.visibleAt = now + options.visibilityTimeout().toNanos();
            received.add(new ReceivedMessage(message.id, message.receipt, message.body.clone(), message.receiveCount,
                message.reason));
          }
          if (!received.isEmpty()) {
            return received;
          }
          long remaining = deadline - now;
          if (remaining <= 0) {
            return List.of();
          }
          changed.awaitNanos(Math.min(remaining, nextVisible - now));
        }
      } finally {
        lock.unlock();
      }
    }

    void delete(ReceivedMessage received) {
      lock.lock();
      try {
        Message message = messages.get(received.id());
        // A stale receipt (the lease expired and someone else received it) deletes nothing, as in SQS.
        if (message != null && received.receipt().equals(message.receipt)) {
          messages.remove(received.id());
        }
      } finally {
        lock.unlock();
      }
    }

    /** False when the receipt is stale: the message was deleted or delivered again since. */
    boolean extend(ReceivedMessage received, Duration visibility) {
      lock.lock();
      try {
        Message message = messages.get(received.id());
        if (message == null || !received.receipt().equals(message.receipt)) {
          return false;
        }
        message.visibleAt = System.nanoTime() + visibility.toNanos();
        changed.signalAll();
        return true;
      } finally {
        lock.unlock();
      }
    }

    QueueDepth depth() {
      lock.lock();
      try {
        long now = System.nanoTime();
        long visible = messages.values().stream().filter(m -> m.visibleAt <= now).count();
        return new QueueDepth(visible, messages.size() - visible);
      } finally {
        lock.unlock();
      }
    }

    /** Every message, leased or not, as it is: nothing about it changes. */
    List<ReceivedMessage> peek(int max) {
      lock.lock();
      try {
        return messages.values().stream().limit(max)
            .map(m -> new ReceivedMessage(m.id, null, m.body.clone(), m.receiveCount, m.reason)).toList();
      } finally {
        lock.unlock();
      }
    }

    List<String> reasons() {
      lock.lock();
      try {
        return messages.values().stream().map(m -> m.reason).toList();
      } finally {
        lock.unlock();
      }
    }

    void delete() {
      lock.lock();
      try {
        deleted = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void wakeAll() {
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
