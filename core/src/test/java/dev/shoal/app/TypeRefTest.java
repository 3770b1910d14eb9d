package dev.shoal.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.ParameterizedType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TypeRefTest {

  @Test
  void ofWrapsAClass() {
    assertThat(TypeRef.of(Long.class).type()).isEqualTo(Long.class);
    assertThat(TypeRef.of(Long.class)).isEqualTo(TypeRef.of(Long.class)).isNotEqualTo(TypeRef.of(Integer.class));
    assertThat(TypeRef.of(Long.class)).isEqualTo(new TypeRef<Long>() {});
    assertThat(TypeRef.of(Long.class)).hasToString("java.lang.Long");
  }

  @Test
  void listOfEqualsTheCapturedGenericTypeBothWays() {
    TypeRef<List<Long>> built = TypeRef.listOf(Long.class);
    TypeRef<List<Long>> captured = new TypeRef<List<Long>>() {};

    assertThat(built).isEqualTo(captured);
    assertThat(captured).isEqualTo(built);
    assertThat(built.type()).isEqualTo(captured.type());
    assertThat(captured.type()).isEqualTo(built.type());
    assertThat(built.hashCode()).isEqualTo(captured.hashCode());
    assertThat(built.type().hashCode()).isEqualTo(captured.type().hashCode());
    assertThat(built).hasToString("java.util.List<java.lang.Long>").hasToString(captured.toString());

    ParameterizedType type = (ParameterizedType) built.type();
    assertThat(type.getRawType()).isEqualTo(List.class);
    assertThat(type.getActualTypeArguments()).containsExactly(Long.class);
    assertThat(type.getOwnerType()).isNull();
  }

  @Test
  void differentGenericTypesDiffer() {
    assertThat(TypeRef.listOf(Long.class)).isNotEqualTo(TypeRef.listOf(Integer.class));
    assertThat(TypeRef.listOf(Long.class)).isNotEqualTo(new TypeRef<java.util.Set<Long>>() {});
    assertThat(TypeRef.listOf(Long.class)).isNotEqualTo(TypeRef.of(List.class));
  }

  @Test
  void mapOfEqualsTheCapturedGenericType() {
    TypeRef<Map<String, Double>> built = TypeRef.mapOf(Double.class);
    TypeRef<Map<String, Double>> captured = new TypeRef<Map<String, Double>>() {};
    assertThat(built).isEqualTo(captured);
    assertThat(captured).isEqualTo(built);
    assertThat(built.hashCode()).isEqualTo(captured.hashCode());
    assertThat(built).hasToString("java.util.Map<java.lang.String, java.lang.Double>");
  }

  @Test
  void theArgumentsArrayCannotBeChangedFromOutside() {
    ParameterizedType type = (ParameterizedType) TypeRef.listOf(Long.class).type();
    type.getActualTypeArguments()[0] = String.class;
    assertThat(type.getActualTypeArguments()).containsExactly(Long.class);
  }

  @Test
  @SuppressWarnings({"rawtypes", "unchecked"})
  void aRawSubclassIsRefused() {
    assertThatThrownBy(() -> new TypeRef() {})
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("type argument");
  }
}
