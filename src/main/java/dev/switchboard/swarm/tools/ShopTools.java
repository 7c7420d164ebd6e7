package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Locale;

/**
 * The demo shop's tools (config/swarm-shop.yaml): a product catalogue for sales and an order
 * lookup for support. The data is a fixed table, so answers are reproducible in tests; a real
 * deployment would call its own services here.
 */
@Singleton
@RegisterForReflection
public class ShopTools implements ToolSet {

    record Product(String sku, String name, String category, String price, int stock) {
    }

    static final List<Product> CATALOGUE = List.of(
            new Product("KB-01", "Mechanical keyboard", "keyboards", "89.00", 12),
            new Product("KB-02", "Low-profile keyboard", "keyboards", "69.00", 0),
            new Product("MS-01", "Wireless mouse", "mice", "39.00", 40),
            new Product("MN-27", "27-inch monitor", "monitors", "249.00", 5),
            new Product("HS-01", "Headset with microphone", "audio", "59.00", 8));

    @RegisterForReflection
    record Query(@Arg(description = "words of a product name or a category", minLength = 1, maxLength = 60) String query,
                 @Arg(name = "in_stock_only", required = false) Boolean inStockOnly) {
    }

    @RegisterForReflection
    record OrderId(@Arg(name = "order_id", description = "like A-10042", minLength = 6, maxLength = 12) String orderId) {
    }

    @ToolFunction(name = "catalogue_search",
            description = "Search the shop's catalogue by product name or category; returns sku, name, price and stock.")
    String catalogueSearch(ToolContext context, Query args) {
        String q = args.query().toLowerCase(Locale.ROOT);
        boolean inStock = Boolean.TRUE.equals(args.inStockOnly());
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (Product p : CATALOGUE) {
            boolean match = p.name().toLowerCase(Locale.ROOT).contains(q) || p.category().contains(q)
                    || q.contains(p.category().replaceAll("s$", ""));
            if (match && (!inStock || p.stock() > 0)) {
                out.addObject().put("sku", p.sku()).put("name", p.name()).put("price", p.price()).put("stock", p.stock());
            }
        }
        return out.isEmpty() ? "No product matches '" + q + "'." : out.toString();
    }

    @ToolFunction(name = "order_lookup", description = "Look up an order by its id (like A-10042): status, items, delivery date.")
    String orderLookup(ToolContext context, OrderId args) {
        String id = args.orderId().toUpperCase(Locale.ROOT);
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
        return JsonNodeFactory.instance.objectNode().put("order_id", id).put("status", status).put("item", p.name())
                .put("paid", p.price()).toString();
    }
}
