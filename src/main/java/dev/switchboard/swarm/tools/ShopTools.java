package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Locale;

/**
 * The demo shop's tools (config/swarm-shop.yaml): a product catalogue for sales and an order
 * lookup for support. The data is a fixed table, so answers are reproducible in tests; a real
 * deployment would call its own services here.
 */
public final class ShopTools {
    private ShopTools() {
    }

    record Product(String sku, String name, String category, String price, int stock) {
    }

    static final List<Product> CATALOGUE = List.of(
            new Product("KB-01", "Mechanical keyboard", "keyboards", "89.00", 12),
            new Product("KB-02", "Low-profile keyboard", "keyboards", "69.00", 0),
            new Product("MS-01", "Wireless mouse", "mice", "39.00", 40),
            new Product("MN-27", "27-inch monitor", "monitors", "249.00", 5),
            new Product("HS-01", "Headset with microphone", "audio", "59.00", 8));

    @Singleton
    public static class CatalogueSearch extends JsonTool {
        public CatalogueSearch() {
            super("""
                    {"type":"object","additionalProperties":false,"required":["query"],"properties":{
                      "query":{"type":"string","minLength":1,"maxLength":60,"description":"words of a product name or a category"},
                      "in_stock_only":{"type":"boolean"}}}""");
        }

        @Override
        public String name() {
            return "catalogue_search";
        }

        @Override
        public String description() {
            return "Search the shop's catalogue by product name or category; returns sku, name, price and stock.";
        }

        @Override
        public String execute(ToolContext context, JsonNode args) {
            String q = args.get("query").asText().toLowerCase(Locale.ROOT);
            boolean inStock = args.path("in_stock_only").asBoolean(false);
            ArrayNode out = JSON.createArrayNode();
            for (Product p : CATALOGUE) {
                boolean match = p.name().toLowerCase(Locale.ROOT).contains(q) || p.category().contains(q)
                        || q.contains(p.category().replaceAll("s$", ""));
                if (match && (!inStock || p.stock() > 0)) {
                    out.addObject().put("sku", p.sku()).put("name", p.name()).put("price", p.price()).put("stock", p.stock());
                }
            }
            return out.isEmpty() ? "No product matches '" + q + "'." : out.toString();
        }
    }

    @Singleton
    public static class OrderLookup extends JsonTool {
        public OrderLookup() {
            super("""
                    {"type":"object","additionalProperties":false,"required":["order_id"],"properties":{
                      "order_id":{"type":"string","minLength":6,"maxLength":12,"description":"like A-10042"}}}""");
        }

        @Override
        public String name() {
            return "order_lookup";
        }

        @Override
        public String description() {
            return "Look up an order by its id (like A-10042): status, items, delivery date.";
        }

        @Override
        public String execute(ToolContext context, JsonNode args) {
            String id = args.get("order_id").asText().toUpperCase(Locale.ROOT);
            if (!id.matches("A-\\d{5}")) {
                throw new ToolException("order ids look like A-10042");
            }
            int n = Integer.parseInt(id.substring(2));
            if (n < 10000 || n > 10099) {
                return "No order " + id + " exists.";
            }
            String status = switch (n % 3) {
                case 0 -> "delivered";
                case 1 -> "shipped, arriving in 2 days";
                default -> "being packed";
            };
            Product p = CATALOGUE.get(n % CATALOGUE.size());
            return JSON.createObjectNode().put("order_id", id).put("status", status).put("item", p.name())
                    .put("paid", p.price()).toString();
        }
    }
}
