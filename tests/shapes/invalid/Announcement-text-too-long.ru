# A source text of more than a million characters: 2^20 characters appended to the announcement's own.
# shape: Announcement
# expect: longer than a million characters
PREFIX rit:     <ontology#>
PREFIX place:   <id/place/>
PREFIX orgn:    <id/organisation/>
PREFIX deleg:   <id/delegation/>
PREFIX prog:    <id/programme/>
PREFIX sel:     <id/selection/>
PREFIX app:     <id/application/>
PREFIX part:    <id/partnership/>
PREFIX ev:      <id/event/>
PREFIX market:  <id/market/>
PREFIX ind:     <id/indicator/>
PREFIX dist:    <id/distance/>
PREFIX ann:     <id/announcement/>
PREFIX q:       <id/announcement/mini/quote/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa:      <http://www.w3.org/ns/oa#>

DELETE { GRAPH <graph/announcement/mini> { ann:mini rit:text ?text } }
INSERT { GRAPH <graph/announcement/mini> { ann:mini rit:text ?long } }
WHERE {
    GRAPH <graph/announcement/mini> { ann:mini rit:text ?text }
    BIND (" " AS ?t0)
    BIND (CONCAT(?t0, ?t0) AS ?t1) BIND (CONCAT(?t1, ?t1) AS ?t2) BIND (CONCAT(?t2, ?t2) AS ?t3) BIND (CONCAT(?t3, ?t3) AS ?t4)
    BIND (CONCAT(?t4, ?t4) AS ?t5) BIND (CONCAT(?t5, ?t5) AS ?t6) BIND (CONCAT(?t6, ?t6) AS ?t7) BIND (CONCAT(?t7, ?t7) AS ?t8)
    BIND (CONCAT(?t8, ?t8) AS ?t9) BIND (CONCAT(?t9, ?t9) AS ?t10) BIND (CONCAT(?t10, ?t10) AS ?t11)
    BIND (CONCAT(?t11, ?t11) AS ?t12) BIND (CONCAT(?t12, ?t12) AS ?t13) BIND (CONCAT(?t13, ?t13) AS ?t14)
    BIND (CONCAT(?t14, ?t14) AS ?t15) BIND (CONCAT(?t15, ?t15) AS ?t16) BIND (CONCAT(?t16, ?t16) AS ?t17)
    BIND (CONCAT(?t17, ?t17) AS ?t18) BIND (CONCAT(?t18, ?t18) AS ?t19) BIND (CONCAT(?t19, ?t19) AS ?t20)
    BIND (STRLANG(CONCAT(?text, ?t20), "de") AS ?long)
}
