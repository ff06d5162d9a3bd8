// The llm component's sources land here.
namespace rt::llm {}
