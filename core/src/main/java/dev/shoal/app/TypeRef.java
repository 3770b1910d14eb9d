package dev.shoal.app;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A full generic type, kept at run time so that arguments and results can be decoded from JSON
 * on a remote worker. Capture a generic type with an anonymous subclass:
 * {@code new TypeRef<List<Long>>() {}}, or use {@link #of(Class)} and {@link #listOf(Class)}.
 */
public abstract class TypeRef<T> {
  private final Type type;

  protected TypeRef() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType parameterized)) {
      throw new IllegalStateException("TypeRef must be created with a type argument: new TypeRef<List<Long>>() {}");
    }
    this.type = parameterized.getActualTypeArguments()[0];
  }

  private TypeRef(Type type) {
    this.type = Objects.requireNonNull(type, "type");
  }

  public static <T> TypeRef<T> of(Class<T> type) {
    return new TypeRef<>(type) {};
  }

  public static <E> TypeRef<List<E>> listOf(Class<E> element) {
    return new TypeRef<>(new Parameterized(List.class, element)) {};
  }

  public static <V> TypeRef<Map<String, V>> mapOf(Class<V> value) {
    return new TypeRef<>(new Parameterized(Map.class, String.class, value)) {};
  }

  public final Type type() {
    return type;
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof TypeRef<?> other && type.equals(other.type);
  }

  @Override
  public final int hashCode() {
    return type.hashCode();
  }

  @Override
  public final String toString() {
    return type.getTypeName();
  }

  private record Parameterized(Class<?> raw, Type... arguments) implements ParameterizedType {
    @Override
    public Type[] getActualTypeArguments() {
      return arguments.clone();
    }

    @Override
    public Type getRawType() {
      return raw;
    }

    @Override
    public Type getOwnerType() {
      return null;
    }

    @Override
    public String getTypeName() {
      StringBuilder name = new StringBuilder(raw.getName()).append('<');
      for (int i = 0; i < arguments.length; i++) {
        name.append(i == 0 ? "" : ", ").append(arguments[i].getTypeName());
      }
      return name.append('>').toString();
    }

    // Equal to the JDK's own ParameterizedType for the same type, so TypeRefs compare by meaning.
    @Override
    public boolean equals(Object o) {
      return o instanceof ParameterizedType other
          && raw.equals(other.getRawType())
          && other.getOwnerType() == null
          && java.util.Arrays.equals(arguments, other.getActualTypeArguments());
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(arguments) ^ raw.hashCode();
    }
  }
}
